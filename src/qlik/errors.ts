/**
 * The one place where Qlik HTTP and network errors become Temporal failures.
 *
 * - 5xx, timeouts, resets, refused connections, transient DNS (EAI_AGAIN): retryable (FailureTypes.Transient).
 * - 429: retryable FailureTypes.RateLimited with nextRetryDelay = Retry-After, so Temporal waits as Qlik asks.
 * - 400/401/403/404, other 4xx, ENOTFOUND, TLS verification errors: non-retryable FailureTypes.Config with a
 *   message naming the tenant/site, the call (method + route, never a secret) and what to fix.
 * - an unexpected 409: non-retryable FailureTypes.Conflict.
 * Messages never contain secret values: they name the secret *reference* (env:NAME, file:/path).
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from '../activities/types';

export type HostKind = 'qrs' | 'hds' | 'cloud';

/** Who was called and how, for messages and metrics. Contains no secret. */
export interface CallSite {
  kind: HostKind;
  /** For people: "tenant acme (https://acme.eu.qlikcloud.com)" or "QSEoW site https://qseow.example.com/jwt". */
  target: string;
  method: string;
  /** Route template, e.g. /qrs/app/{id} */
  route: string;
  /** The secret reference behind the credentials, named in 401 hints. */
  credentialRef?: string;
}

/** An HTTP answer the caller did not expect; classified by toActivityFailure unless the caller handles it. */
export class QlikHttpError extends Error {
  constructor(
    readonly call: CallSite,
    readonly status: number,
    /** Qlik's error title/detail (JSON:API errors[] or QRS text), trimmed. */
    readonly detail: string,
    /** Retry-After in milliseconds, when the server sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`${call.method} ${call.route} on ${call.target} answered ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'QlikHttpError';
  }
}

/** A request that got no HTTP answer (connect timeout, reset, DNS...). */
export class QlikNetworkError extends Error {
  constructor(
    readonly call: CallSite,
    readonly code: string,
    cause: unknown,
  ) {
    super(`${call.method} ${call.route} on ${call.target} failed without an answer (${code})`, { cause });
    this.name = 'QlikNetworkError';
  }
}

/** A response body that does not have the shape we rely on (Qlik changed, or a proxy answered). */
export class QlikResponseShapeError extends Error {
  constructor(readonly call: CallSite, problem: string) {
    super(`${call.method} ${call.route} on ${call.target} returned an unexpected body: ${problem}`);
    this.name = 'QlikResponseShapeError';
  }
}

export const isHttpStatus = (err: unknown, ...statuses: number[]): err is QlikHttpError =>
  err instanceof QlikHttpError && statuses.includes(err.status);

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
  'UND_ERR_ABORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** The most specific error code in an error's cause chain (undici nests the socket error). */
export function networkErrorCode(err: unknown): string {
  let current: unknown = err;
  let found = 'UNKNOWN';
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') found = code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function callText(call: CallSite): string {
  return `${call.method} ${call.route}`;
}

/** What a person should do about a 4xx, by status and host kind. */
function hintFor(err: QlikHttpError): string {
  const { call, status } = err;
  const secret = call.credentialRef ? ` behind ${call.credentialRef}` : '';
  switch (status) {
    case 401:
      return call.kind === 'cloud'
        ? `the API key or OAuth client was rejected: check the secret${secret} (it may be revoked, expired or belong to another tenant)`
        : `the QSEoW credentials were rejected: check the JWT or certificate${secret} and the virtual proxy configuration`;
    case 403:
      return call.kind === 'cloud'
        ? 'the credentials lack permission: the API key\'s user (or OAuth client) needs the TenantAdmin role in this tenant'
        : 'the QSEoW user lacks permission: run the calls as a RootAdmin (source.qrs.user) or grant the needed rules';
    case 404:
      return 'the object or endpoint does not exist: check the URL in the plan and that the referenced object was not deleted';
    case 400:
      return 'the request was rejected as invalid: check the plan values used in it';
    case 409:
      return 'another writer changed the object at the same time and re-reading did not resolve it; retry the tenant';
    default:
      return 'the request cannot succeed as configured; check the plan and the Qlik logs';
  }
}

/** The single classification of errors thrown by Qlik calls into Temporal failures. */
export function toActivityFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof QlikHttpError) return httpFailure(err);
  if (err instanceof QlikNetworkError) return networkFailure(err);
  if (err instanceof QlikResponseShapeError) {
    // Retrying will not change the shape; a person must look (proxy in the way, unsupported Qlik version).
    return ApplicationFailure.create({ type: FailureTypes.Config, nonRetryable: true, message: err.message });
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type: FailureTypes.Transient, message, cause: err instanceof Error ? err : undefined });
}

function httpFailure(err: QlikHttpError): ApplicationFailure {
  const { call, status } = err;
  const detail = err.detail ? ` Qlik said: ${err.detail}.` : '';
  if (status === 429) {
    const seconds = err.retryAfterMs !== undefined ? err.retryAfterMs / 1000 : undefined;
    return ApplicationFailure.create({
      type: FailureTypes.RateLimited,
      message: `${call.target} rate-limited ${callText(call)} (429)${seconds !== undefined ? `; retrying after ${seconds}s as Retry-After asks` : ''}.`,
      nextRetryDelay: err.retryAfterMs,
      details: [{ status, route: call.route, retryAfterMs: err.retryAfterMs }],
    });
  }
  if (status >= 500 || status === 408) {
    return ApplicationFailure.create({
      type: FailureTypes.Transient,
      message: `${call.target} failed ${callText(call)} with ${status}; will retry.${detail}`,
      details: [{ status, route: call.route }],
    });
  }
  return ApplicationFailure.create({
    type: status === 409 ? FailureTypes.Conflict : FailureTypes.Config,
    nonRetryable: true,
    message: `${call.target}: ${callText(call)} answered ${status}: ${hintFor(err)}.${detail}`,
    details: [{ status, route: call.route }],
  });
}

function networkFailure(err: QlikNetworkError): ApplicationFailure {
  const { call, code } = err;
  if (code === 'ENOTFOUND') {
    return ApplicationFailure.create({
      type: FailureTypes.Config,
      nonRetryable: true,
      message: `${call.target}: the host name does not resolve (ENOTFOUND) for ${callText(call)}: check the URL in the plan.`,
    });
  }
  if (TLS_CODES.has(code)) {
    return ApplicationFailure.create({
      type: FailureTypes.Config,
      nonRetryable: true,
      message: `${call.target}: TLS verification failed (${code}) for ${callText(call)}: give the server's CA (root.pem) in the plan, or set source.qrs.rejectUnauthorized: false for a self-signed test server.`,
    });
  }
  const retryable = RETRYABLE_NETWORK_CODES.has(code) || code === 'UNKNOWN';
  return ApplicationFailure.create({
    type: retryable ? FailureTypes.Transient : FailureTypes.Config,
    nonRetryable: !retryable,
    message: `${call.target}: ${callText(call)} got no answer (${code})${retryable ? '; will retry' : ''}.`,
  });
}

/** A configuration problem found by our own checks (no HTTP status): non-retryable, for a person to fix. */
export function configFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureTypes.Config, nonRetryable: true, message });
}

/** The app does not meet the distribution rule: non-retryable until a person fixes the app. */
export function verificationFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureTypes.Verification, nonRetryable: true, message });
}

/** Something not there yet (an app still on its way): Temporal retries the activity. */
export function notYetFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureTypes.Transient, message });
}
