/**
 * What the QSEoW front doors check before a handler runs.
 *
 * Two documented ways in (doc QRS-CERT, BD-MC; audit F3):
 *   - the Repository port (QSEoW's 4242): TLS with a client certificate signed by the site's root CA (checked in the
 *     handshake, http/listeners.ts), `X-Qlik-User` naming the acting user, no JWT. It serves the QRS only: the
 *     Hybrid Deployment Service is not there (404).
 *   - the JWT virtual proxy (prefix /jwt): `Authorization: Bearer <JWT>`, or the proxy session cookie. A client
 *     certificate is no proxy authentication. Serves the QRS and /api/hds.
 * Then the Xrfkey pair (doc QRS-XRF: query `Xrfkey` and header `X-Qlik-Xrfkey`, equal, 16 of [0-9a-zA-Z], else 400)
 * and the acting user from `X-Qlik-User` (recorded as modifiedByUserName).
 *
 * Proxy sessions (Assumption A13, variant 'session-cookie'): a JWT-authenticated request without a valid session
 * cookie opens a session and is answered `Set-Cookie: X-Qlik-Session-jwt=<id>; Path=/; HttpOnly` (the virtual
 * proxy's session cookie header name, X-Qlik-Session-<prefix>); a request carrying that cookie needs no JWT. A session
 * ends after 30 minutes without use (the proxy's default session inactivity timeout) or when the admin route ends it;
 * an unknown or ended cookie without a JWT answers 401. With 'no' the proxy sets no cookie and reads none.
 */
import { HttpError, queryParam, type SimRequest } from '../http/types';
import type { Variants } from '../variants';

const XRF = /^[0-9a-zA-Z]{16}$/;

export function qrsText(status: number, message: string): HttpError {
  return new HttpError(status, message);
}

/** The virtual proxy's session cookie name (X-Qlik-Session-<prefix>). */
export const SESSION_COOKIE = 'X-Qlik-Session-jwt';
const SESSION_IDLE_MS = 30 * 60_000;

function cookieValue(req: SimRequest, name: string): string | undefined {
  const raw = req.headers.cookie;
  for (const part of (Array.isArray(raw) ? raw.join('; ') : raw ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Both QSEoW front doors and the proxy's sessions. */
export class QseowAccess {
  private readonly sessions = new Map<string, number>();
  private created = 0;

  constructor(
    private readonly jwt: string,
    private readonly variants: Pick<Variants, 'session-cookie'>,
    private readonly newSessionId: () => string,
  ) {}

  /**
   * Admits a request to `routePath` (without the virtual proxy prefix) or throws its 401/404; returns the
   * Set-Cookie header to add to the answer when this request opened a proxy session.
   */
  admit(req: SimRequest, routePath: string): { setCookie?: string } {
    const lower = routePath.toLowerCase();
    const qrs = lower.startsWith('/qrs/');
    const hds = lower.startsWith('/api/hds/');
    if (req.access === 'repository') {
      // The certificate was verified in the TLS handshake; the Repository Service has no HDS and reads no JWT.
      if (!qrs) throw new HttpError(404, `Not found: ${routePath}`);
      checkXrfkey(req);
      return {};
    }
    if (!qrs && !hds) throw new HttpError(404, `Not found: ${routePath}`);
    const setCookie = this.authenticateProxy(req);
    if (qrs || req.headers['x-qlik-xrfkey'] || queryParam(req, 'Xrfkey') !== null) checkXrfkey(req);
    return setCookie ? { setCookie } : {};
  }

  /** Proxy sessions opened so far (each JWT-authenticated request without a valid cookie opens one). */
  sessionsCreated(): number {
    return this.created;
  }

  activeSessions(): number {
    this.sweep(Date.now());
    return this.sessions.size;
  }

  /** Ends every proxy session (as a proxy restart or timeout would): their cookies now answer 401. */
  endSessions(): void {
    this.sessions.clear();
  }

  private authenticateProxy(req: SimRequest): string | undefined {
    const cookies = this.variants['session-cookie'] === 'yes';
    const now = Date.now();
    if (cookies) {
      const id = cookieValue(req, SESSION_COOKIE);
      const lastUsed = id === undefined ? undefined : this.sessions.get(id);
      if (id !== undefined && lastUsed !== undefined && now - lastUsed < SESSION_IDLE_MS) {
        this.sessions.set(id, now);
        return undefined;
      }
      if (id !== undefined) this.sessions.delete(id);
    }
    checkBearer(req, this.jwt);
    if (!cookies) return undefined;
    this.sweep(now);
    const id = this.newSessionId();
    this.sessions.set(id, now);
    this.created++;
    return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly`;
  }

  private sweep(now: number): void {
    for (const [id, lastUsed] of this.sessions) if (now - lastUsed >= SESSION_IDLE_MS) this.sessions.delete(id);
  }
}

export function checkBearer(req: SimRequest, jwt: string): void {
  const header = req.headers.authorization;
  if (header !== `Bearer ${jwt}`) {
    throw new HttpError(401, header ? 'Unauthorized: the JWT was not accepted by virtual proxy "jwt"' : 'Unauthorized: send Authorization: Bearer <JWT>', {
      'www-authenticate': 'Bearer realm="jwt"',
    });
  }
}

export function checkXrfkey(req: SimRequest): void {
  const fromQuery = queryParam(req, 'Xrfkey');
  const fromHeader = req.headers['x-qlik-xrfkey'];
  const header = Array.isArray(fromHeader) ? fromHeader[0] : fromHeader;
  if (!fromQuery || !header) throw qrsText(400, 'XSRF prevention check failed: send the same 16-character key as query parameter Xrfkey and header X-Qlik-Xrfkey');
  if (fromQuery !== header) throw qrsText(400, 'XSRF prevention check failed: Xrfkey query parameter and X-Qlik-Xrfkey header differ');
  if (!XRF.test(fromQuery)) throw qrsText(400, 'XSRF prevention check failed: Xrfkey must be exactly 16 characters 0-9, a-z, A-Z');
}

/** `X-Qlik-User: UserDirectory=INTERNAL; UserId=sa_api` -> `INTERNAL\sa_api`. */
export function actingUser(req: SimRequest): string {
  const raw = req.headers['x-qlik-user'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  if (!header) return 'INTERNAL\\sa_api';
  const parts = Object.fromEntries(
    header.split(';').map((p) => {
      const [k, ...v] = p.split('=');
      return [k.trim().toLowerCase(), v.join('=').trim()];
    }),
  );
  return parts.userdirectory && parts.userid ? `${parts.userdirectory}\\${parts.userid}` : 'INTERNAL\\sa_api';
}
