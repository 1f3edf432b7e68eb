/**
 * Response headers of the tool's own Qlik calls, for the two checks that need them (A13's session cookie, the
 * rate-limit headers). The transport returns bodies only, so the doctor listens on undici's diagnostics channel
 * while it runs: every request the clients send through their pools is seen here, headers included, without a
 * second client or a change to the transport.
 */
import diagnosticsChannel from 'node:diagnostics_channel';

export interface SeenAnswer {
  origin: string;
  method: string;
  /** Path without the query (the query holds the Xrfkey). */
  path: string;
  status: number;
  /** Lower-case header names -> values (repeated headers joined by "\n"). */
  headers: Record<string, string>;
  /** Names of the cookies the request carried (never their values). */
  sentCookies: string[];
}

interface UndiciHeadersEvent {
  request: { origin?: string | URL; method?: string; path?: string; headers?: unknown };
  response: { statusCode: number; headers: Array<Buffer | string> };
}

function cookieNames(header: string): string[] {
  return header.split(';').map((part) => part.split('=')[0].trim()).filter(Boolean);
}

function requestCookies(headers: unknown): string[] {
  if (!Array.isArray(headers)) return [];
  const names: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === 'cookie') names.push(...cookieNames(String(headers[i + 1])));
  }
  return names;
}

export class HeaderRecorder {
  private readonly seen: SeenAnswer[] = [];
  private readonly listener = (message: unknown) => {
    const { request, response } = message as UndiciHeadersEvent;
    const headers: Record<string, string> = {};
    for (let i = 0; i + 1 < response.headers.length; i += 2) {
      const name = response.headers[i].toString().toLowerCase();
      const value = response.headers[i + 1].toString();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}\n${value}`;
    }
    this.seen.push({
      origin: String(request.origin ?? '').replace(/\/+$/, ''),
      method: request.method ?? '',
      path: (request.path ?? '').split('?')[0],
      status: response.statusCode,
      headers,
      sentCookies: requestCookies(request.headers),
    });
  };

  start(): this {
    diagnosticsChannel.subscribe('undici:request:headers', this.listener);
    return this;
  }

  stop(): void {
    diagnosticsChannel.unsubscribe('undici:request:headers', this.listener);
  }

  /** Answers from `origin` (no trailing slash), optionally only paths containing `pathPart`. */
  from(origin: string, pathPart?: string): SeenAnswer[] {
    const wanted = origin.replace(/\/+$/, '');
    return this.seen.filter((answer) => answer.origin === wanted && (!pathPart || answer.path.toLowerCase().includes(pathPart.toLowerCase())));
  }
}

/** The names of the cookies a Set-Cookie header sets. */
export function setCookieNames(answer: SeenAnswer): string[] {
  const header = answer.headers['set-cookie'];
  if (!header) return [];
  return header.split('\n').map((line) => line.split(';')[0].split('=')[0].trim()).filter(Boolean);
}
