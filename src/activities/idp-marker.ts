/**
 * How qlik-rollout recognises its own multi-cloud IdPs: a marker in the IdP description naming the deployment the
 * IdP serves and a fingerprint of the token it holds (the cloud API never returns the token). Everything else in a
 * tenant (hand-made IdPs, another QSEoW site's or another deployment's) is foreign and never touched.
 */
import { createHash } from 'node:crypto';
import { stripUnsafe } from '../shared/display';

/** What a description of ours says: which deployment, which token (fingerprint). */
export interface IdpMarker {
  deployment: string;
  fingerprint: string;
}

/**
 * Fields of a decoded token definition that may change from call to call for the same key (Assumption A12): they
 * never count towards the fingerprint. Compared case-insensitively.
 */
const PER_CALL_FIELDS = new Set(['nonce', 'jti', 'timestamp', 'ts', 'iat', 'exp', 'nbf', 'issuedat', 'expiresat', 'generatedat', 'createdat', 'requestid']);

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The token text decoded into a JSON object or array, or undefined when it is not base64 of JSON. */
function decodedDefinition(text: string): unknown {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed)) return undefined;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8').trim();
  if (!decoded.startsWith('{') && !decoded.startsWith('[')) return undefined;
  try {
    return JSON.parse(decoded) as unknown;
  } catch {
    return undefined;
  }
}

/** Sorted keys, per-call fields dropped at any depth: the same definition always gives the same text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (!PER_CALL_FIELDS.has(key.toLowerCase())) out[key] = canonical((value as Record<string, unknown>)[key]);
  }
  return out;
}

/**
 * The first 16 hex characters of a SHA-256: identifies the token without revealing it.
 * Assumption A12: elastictokenconfig?qcsFormat=True may not be byte-stable. When the text is base64 of a JSON
 * definition, the hash covers its canonical form without per-call fields, so a fresh nonce or timestamp does not
 * make the token look new; otherwise it covers the raw text (the format earlier versions fingerprinted, so their
 * IdPs stay current).
 */
export function tokenFingerprint(token: string): string {
  const definition = decodedDefinition(token);
  const basis = definition === undefined ? token : JSON.stringify(canonical(definition));
  return createHash('sha256').update(basis).digest('hex').slice(0, 16);
}

const HUMAN_PART = (deployment: string) => `Multi-cloud IdP for QSEoW deployment "${deployment}", managed by qlik-rollout.`;

/**
 * The description of our IdP. The trailing marker is the only part read back: the deployment name is
 * URI-encoded (no spaces, no quotes), so no name can make the description of one deployment parse as another's.
 */
export function idpDescription(deployment: string, token: string): string {
  return `${HUMAN_PART(deployment)} deployment:${encodeURIComponent(deployment)} token-sha256:${tokenFingerprint(token)}`;
}

const MARKER = / deployment:(\S+) token-sha256:([0-9a-f]{16})$/;
// The format of earlier versions: both ends fixed, so the name between them is determined.
const LEGACY = /^Multi-cloud IdP for QSEoW deployment "(.*)", managed by qlik-rollout\. token-sha256:([0-9a-f]{16})$/s;

function decodeName(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** Our marker in a description, or undefined when the IdP is not ours (by this or an earlier version). */
export function parseIdpMarker(description: string | null | undefined): IdpMarker | undefined {
  const text = description ?? '';
  const legacy = LEGACY.exec(text);
  if (legacy) return { deployment: legacy[1], fingerprint: legacy[2] };
  const marker = MARKER.exec(text);
  if (!marker || !text.startsWith('Multi-cloud IdP for QSEoW deployment "')) return undefined;
  const deployment = decodeName(marker[1]);
  return deployment === undefined ? undefined : { deployment, fingerprint: marker[2] };
}

/**
 * Text from a tenant (a foreign IdP's description, Qlik's error detail) fit for a workflow result or an error:
 * control characters out, long opaque runs (which could be a pasted token) redacted, truncated to `max`.
 */
export function sanitizeText(text: string | null | undefined, max = 80): string {
  const clean = stripUnsafe(text ?? '').replace(/[A-Za-z0-9+/=_-]{24,}/g, '[redacted]').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}
