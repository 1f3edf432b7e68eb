/**
 * Evidence strings come partly from Qlik's answers (error details, names, headers): before they reach a terminal
 * or a JSON report they lose control characters (an answer could carry ANSI escapes or line breaks that rewrite the
 * table) and anything that looks like a credential.
 */
import { isHttpStatus, QlikHttpError, QlikNetworkError, QlikResponseShapeError } from '../qlik/errors';
import { stripUnsafe } from '../shared/display';

/** A JWT (three base64url parts starting with a JSON header) or a bearer value. */
const JWT = /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
const BEARER = /(bearer\s+)[^\s,;]+/gi;
const MAX_EVIDENCE = 600;

/** One line of printable text; secrets known to the run (`redact`) and JWT-like strings become "***". */
export function sanitise(text: string, redact: readonly string[] = []): string {
  let out = text;
  for (const secret of redact) {
    if (secret.length >= 6) out = out.split(secret).join('***');
  }
  out = stripUnsafe(out.replace(JWT, '***').replace(BEARER, '$1***')).replace(/\s{2,}/g, ' ').trim();
  return out.length > MAX_EVIDENCE ? `${out.slice(0, MAX_EVIDENCE - 1)}…` : out;
}

/** An error as evidence: call, status and Qlik's detail; never the credentials (errors name only the reference). */
export function errorEvidence(err: unknown): string {
  if (err instanceof QlikHttpError) return `${err.call.method} ${err.call.route} answered ${err.status}${err.detail ? ` (${err.detail})` : ''}`;
  if (err instanceof QlikNetworkError) return `${err.call.method} ${err.call.route}: no answer (${err.code})`;
  if (err instanceof QlikResponseShapeError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/** True for answers that mean "the credentials were refused". */
export const isAuthRefusal = (err: unknown): boolean => isHttpStatus(err, 401, 403);
