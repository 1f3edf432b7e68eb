/**
 * What the JWT virtual proxy and the QRS check before a handler runs: the bearer JWT (401), the Xrfkey pair
 * (doc QRS-XRF: query `Xrfkey` and header `X-Qlik-Xrfkey`, equal, 16 of [0-9a-zA-Z], else 400), and the acting
 * user from `X-Qlik-User` (recorded as modifiedByUserName).
 */
import { HttpError, queryParam, type SimRequest } from '../http/types';

const XRF = /^[0-9a-zA-Z]{16}$/;

export function qrsText(status: number, message: string): HttpError {
  return new HttpError(status, message);
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
