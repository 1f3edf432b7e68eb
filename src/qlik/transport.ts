/**
 * The small HTTP transport under every Qlik API module: builds the URL from a route template, adds
 * authentication, times the call, parses the body with zod and turns failures into QlikHttpError /
 * QlikNetworkError (classified later, in one place: errors.ts).
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { emitQlikCall, outcomeOf } from './call-events';
import { type CallSite, type HostKind, QlikHttpError, QlikNetworkError, QlikResponseShapeError, networkErrorCode, parseRetryAfter } from './errors';
import type { ProxySession, SessionTicket } from './session';

export { onQlikCall, type QlikCallEvent } from './call-events';

export type QueryValue = string | number | boolean | undefined;

/** Adds credentials (and QRS's Xrfkey) to one request. Called per request so every call gets a fresh Xrfkey. */
export interface RequestAuth {
  prepare(): Promise<{ headers: Record<string, string>; query?: Record<string, string> }>;
  /** After a 401: drop a cached token. True if a retry with fresh credentials makes sense. */
  invalidate?(): boolean;
  /** The secret reference named in a 401's message. */
  credentialRef?: string;
}

export interface TransportOptions {
  kind: HostKind;
  /** Base URL including any virtual proxy prefix, without trailing slash. */
  baseUrl: string;
  /** For people, in messages: "tenant acme (http://...)". */
  target: string;
  tenant?: string;
  dispatcher: Dispatcher;
  auth: RequestAuth;
  /** Extra headers on every request (e.g. X-Qlik-User). */
  headers?: Record<string, string>;
  /**
   * The JWT virtual proxy's session (Assumption A13, session.ts): while it holds a cookie, the cookie is sent
   * instead of the Authorization header; a 401 to the cookie drops it and the request goes again with the JWT.
   */
  session?: ProxySession;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Route template, e.g. /qrs/app/{id}; params fill it (URL-encoded). */
  route: string;
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Read the body as text instead of JSON (e.g. a token endpoint answering text/plain). */
  text?: boolean;
}

export interface Response<T> {
  status: number;
  data: T;
}


const MAX_DETAIL = 300;

interface ErrorFields {
  code?: unknown;
  title?: unknown;
  detail?: unknown;
}

const textsOf = (fields: ErrorFields): string[] =>
  [fields.code, fields.title, fields.detail].filter((part): part is string => typeof part === 'string' && part.length > 0);

/**
 * Qlik's error text: JSON:API errors[0] code/title/detail, a flat {code, title, detail} body (some Qlik Cloud APIs,
 * e.g. the spaces assignment conflict that Qlik's own scripts test with `.code`; audit F17), a {message} body (HDS),
 * QRS plain text, or nothing.
 */
export function errorDetail(text: string): string {
  if (!text) return '';
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const { errors, message } = body as { errors?: unknown; message?: unknown };
      const first = Array.isArray(errors) && errors[0] && typeof errors[0] === 'object' ? (errors[0] as ErrorFields) : undefined;
      const parts = textsOf(first ?? (body as ErrorFields));
      if (parts.length > 0) return parts.join(' - ').slice(0, MAX_DETAIL);
      if (typeof message === 'string') return message.slice(0, MAX_DETAIL);
    }
  } catch {
    // Not JSON: QRS answers plain text.
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_DETAIL);
}

function fillRoute(route: string, params: Record<string, string> = {}): string {
  return route.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Route ${route} needs parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/**
 * Retry-After windows per host and rate-limit tier (Cloud: reads vs writes; QSEoW: one), shared by every call in
 * this process: after a 429 no other activity calls that host+tier before the window ends (not only the retried one).
 */
const retryAfterUntil = new Map<string, number>();
/** Milliseconds until the Retry-After window on `tier` ends (<= 0: open). Timers may fire a millisecond early. */
function windowLeft(tier: string): number {
  const left = (retryAfterUntil.get(tier) ?? 0) - Date.now();
  return left > 0 ? left + 1 : 0;
}
/**
 * A GET that meets a 502/503/504 or a dropped connection is sent again here, up to twice, before the failure fails the
 * whole activity attempt: Temporal's retry re-runs the phase from its first call, so under a few percent of faults a
 * phase of ten or more calls could fail attempt after attempt. Writes are left to the activity (it re-reads before it
 * writes), and so is 429 (its retry honours Retry-After). Timeouts are not repeated here: they already waited.
 */
const IN_PLACE_RETRIES = 2;
const IN_PLACE_BACKOFF_MS = 100;
const DROPPED_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function retryInPlace(method: RequestOptions['method'], err: unknown): boolean {
  if (method !== 'GET') return false;
  if (err instanceof QlikHttpError) return err.status === 502 || err.status === 503 || err.status === 504;
  return err instanceof QlikNetworkError && DROPPED_CONNECTION_CODES.has(err.code);
}

function rateTier(kind: HostKind, origin: string, method: string): string {
  return kind === 'cloud' ? `${origin} ${method === 'GET' ? 'read' : 'write'}` : origin;
}

export class Transport {
  readonly kind: HostKind;
  readonly target: string;
  readonly tenant?: string;
  private readonly basePath: string;
  private readonly origin: string;

  constructor(private readonly options: TransportOptions) {
    const base = new URL(options.baseUrl);
    this.kind = options.kind;
    this.target = options.target;
    this.tenant = options.tenant;
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
  }

  /** Turns an absolute `links.next.href` (or a relative one) into a path + query on this host. */
  pathOf(href: string): string {
    const url = new URL(href, `${this.origin}${this.basePath}/`);
    return `${url.pathname}${url.search}`;
  }

  /** A call whose success body is parsed with `schema`. */
  async request<S extends z.ZodType>(req: RequestOptions & { schema: S }): Promise<Response<z.output<S>>> {
    const res = await this.send(req, `${this.basePath}${fillRoute(req.route, req.params)}`, req.query);
    return { status: res.status, data: this.parse(res.call, req.schema, res.text, req.text) };
  }

  /** A call whose success body does not matter (DELETE, PUT answering 204); resolves to the status. */
  async call(req: RequestOptions): Promise<number> {
    return (await this.send(req, `${this.basePath}${fillRoute(req.route, req.params)}`, req.query)).status;
  }

  /** GET an opaque path + query (a pagination link), reported under `route` in messages and metrics. */
  async requestPath<S extends z.ZodType>(route: string, pathAndQuery: string, schema: S): Promise<Response<z.output<S>>> {
    const url = new URL(pathAndQuery, this.origin);
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, key) => (query[key] = value));
    const res = await this.send({ method: 'GET', route }, url.pathname, query);
    return { status: res.status, data: this.parse(res.call, schema, res.text, false) };
  }

  /** One call: its request, sent again in place for a GET's transient failure (`retryInPlace`). */
  private async send(req: RequestOptions, path: string, query: Record<string, QueryValue> | undefined): Promise<{ status: number; text: string; call: CallSite }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sendOnce(req, path, query);
      } catch (err) {
        if (attempt >= IN_PLACE_RETRIES || !retryInPlace(req.method, err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, IN_PLACE_BACKOFF_MS * 3 ** attempt));
      }
    }
  }

  /**
   * One request. A 401 is answered at most once per cause: a session cookie the proxy no longer knows is dropped and
   * the JWT sent (`retried.rejectedCookie`); a rejected credential is re-read from its secret reference (`retried.secret`).
   */
  private async sendOnce(
    req: RequestOptions,
    path: string,
    query: Record<string, QueryValue> | undefined,
    retried: { rejectedCookie?: string; secret?: boolean } = {},
  ): Promise<{ status: number; text: string; call: CallSite }> {
    const call: CallSite = { kind: this.kind, target: this.target, method: req.method, route: req.route, credentialRef: this.options.auth.credentialRef };
    const prepared = await this.options.auth.prepare();
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...query, ...prepared.query })) {
      if (value !== undefined) search.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers, ...prepared.headers };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    const tier = rateTier(this.kind, this.origin, req.method);
    // Re-check after each wait: another call's 429 may have extended the window while this one slept.
    for (let waitMs = windowLeft(tier); waitMs > 0; waitMs = windowLeft(tier)) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    const ticket = await this.sessionTicket(headers, retried.rejectedCookie);
    const started = performance.now();
    const qs = search.toString();
    let status = 0;
    try {
      const res = await this.options.dispatcher.request({ origin: this.origin, path: qs ? `${path}?${qs}` : path, method: req.method, headers, body });
      status = res.statusCode;
      ticket?.settle(res.headers['set-cookie'], true);
      const text = await res.body.text();
      if (status === 401 && ticket?.cookie !== undefined && retried.rejectedCookie === undefined) {
        // The proxy session expired or is unknown: drop the cookie and authenticate with the JWT once more.
        this.options.session?.drop(ticket.cookie);
        return await this.sendOnce(req, path, query, { ...retried, rejectedCookie: ticket.cookie });
      }
      if (status === 401 && !retried.secret && this.options.auth.invalidate?.()) {
        return await this.sendOnce(req, path, query, { ...retried, secret: true });
      }
      if (status >= 400) {
        const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
        if (status === 429 && retryAfterMs) retryAfterUntil.set(tier, Math.max(retryAfterUntil.get(tier) ?? 0, Date.now() + retryAfterMs));
        throw new QlikHttpError(call, status, errorDetail(text), retryAfterMs);
      }
      return { status, text, call };
    } catch (err) {
      if (err instanceof QlikHttpError) throw err;
      status = 0;
      throw new QlikNetworkError(call, networkErrorCode(err), err);
    } finally {
      ticket?.settle(undefined, false);
      this.report(call, status, started);
    }
  }

  /** With a proxy session: its cookie replaces the Authorization header in `headers` (never the `rejected` one). */
  private async sessionTicket(headers: Record<string, string>, rejected: string | undefined): Promise<SessionTicket | undefined> {
    const session = this.options.session;
    if (!session) return undefined;
    const ticket = await session.ticket(rejected);
    if (ticket.cookie !== undefined) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
      headers.cookie = ticket.cookie;
    }
    return ticket;
  }

  private parse<S extends z.ZodType>(call: CallSite, schema: S, text: string, asText: boolean | undefined): z.output<S> {
    let raw: unknown = text;
    if (!asText) {
      try {
        raw = text ? JSON.parse(text) : undefined;
      } catch {
        throw new QlikResponseShapeError(call, 'not JSON');
      }
    }
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new QlikResponseShapeError(call, `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    }
    return result.data;
  }

  private report(call: CallSite, status: number, started: number): void {
    emitQlikCall({
      kind: call.kind,
      tenant: this.tenant,
      method: call.method,
      route: call.route,
      status,
      durationMs: performance.now() - started,
      outcome: outcomeOf(status),
    });
  }
}
