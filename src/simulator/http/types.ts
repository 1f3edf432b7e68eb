import type { IncomingHttpHeaders } from 'node:http';

/** Which simulated machine a request reached. */
export type SimHost = { kind: 'qseow' } | { kind: 'tenant'; name: string };

export interface SimRequest {
  method: string;
  /** Path without the query string, e.g. /jwt/qrs/app/full */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Base URL of the host that answered, e.g. http://127.1.0.7:40123 (for links.self.href). */
  baseUrl: string;
  host: SimHost;
  /**
   * How a QSEoW request came in: through the proxy (virtual proxy prefix, JWT or session cookie; the default) or on
   * the Repository port (TLS with a verified client certificate, no JWT).
   */
  access?: 'proxy' | 'repository';
}

export interface SimResponse {
  status: number;
  /** JSON body; `text` wins when both are set. */
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type RouteParams = Record<string, string>;
export type Handler = (req: SimRequest, params: RouteParams) => SimResponse | Promise<SimResponse>;

/** Thrown by handlers to answer with an error without building the response by hand. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export function json(status: number, body: unknown, headers?: Record<string, string>): SimResponse {
  return { status, body, headers };
}

export const noContent: SimResponse = { status: 204 };

/** Query parameters are case-insensitive on the QRS (`Xrfkey`, `xrfkey`, `filter`, `Filter`). */
export function queryParam(req: SimRequest, name: string): string | null {
  const direct = req.query.get(name);
  if (direct !== null) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of req.query) if (k.toLowerCase() === lower) return v;
  return null;
}

/** Parses a JSON request body; `invalid` builds the error for a malformed body. */
export function parseJsonBody(req: SimRequest, invalid: (message: string) => HttpError): unknown {
  if (req.rawBody.trim() === '') return undefined;
  try {
    return JSON.parse(req.rawBody);
  } catch (err) {
    throw invalid(`request body is not valid JSON: ${(err as Error).message}`);
  }
}
