/**
 * The QRS (Qlik Sense Repository Service) client: certificates on port 4242 (with X-Qlik-User naming the acting
 * user) or a JWT virtual proxy (the JWT's user acts; the proxy session cookie is reused), and a fresh 16-character
 * Xrfkey on every call (query + header, as QRS requires).
 */
import { randomInt } from 'node:crypto';
import type { DeploymentsAuth, QrsAuth, SourceSpec } from '../../plan/types';
import { forgetSecret, resolveSecret } from '../../shared/secrets';
import { poolFor, proxySessionFor, type PoolOptions } from '../pools';
import { Transport, type RequestAuth } from '../transport';

const XRF_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function newXrfkey(): string {
  let key = '';
  for (let i = 0; i < 16; i++) key += XRF_ALPHABET[randomInt(XRF_ALPHABET.length)];
  return key;
}

/** QRS filter string literal: single quotes, embedded quotes doubled. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A GUID for an unquoted filter position; anything else would change the filter's meaning. */
export function guid(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) throw new Error(`Not a GUID: ${value}`);
  return value;
}

/** `name eq 'A' or name eq 'B'` for a set of values; GUIDs go unquoted (quoted = false). */
export function anyOf(field: string, values: string[], quoted = true): string {
  return values.map((value) => `${field} eq ${quoted ? quote(value) : guid(value)}`).join(' or ');
}

function xrfAuth(extra: () => Promise<Record<string, string>>, credentialRef: string): RequestAuth {
  return {
    credentialRef,
    invalidate: () => forgetSecret(credentialRef),
    async prepare() {
      const xrfkey = newXrfkey();
      return { headers: { ...(await extra()), 'X-Qlik-Xrfkey': xrfkey }, query: { xrfkey } };
    },
  };
}

/** Default sockets per QSEoW origin (QRS and the deployments API); Qlik Cloud tenants keep the pools' default. */
export const QSEOW_CONNECTIONS = 32;

/** The QSEoW credentials of one access path: the QRS's (certificate or JWT) or the deployments API's (JWT). */
export type QseowAuth = QrsAuth | DeploymentsAuth;

/** A transport to `base` (the QRS URL or the deployments URL) with `auth` (default: the QRS credentials). */
export async function qseowTransport(source: SourceSpec, base: string, kind: 'qrs' | 'hds', auth: QseowAuth = source.auth): Promise<Transport> {
  // One QSEoW site serves phases 1-3 and 5 of every tenant, so its pool is the whole rollout's funnel: with the
  // default 8 sockets, 200 tenants at 50-300 ms per call were capped at ~45 QRS calls/s (bench/README.md). The plan
  // may raise it for a site that takes more parallel calls.
  const poolOptions: PoolOptions = { rejectUnauthorized: source.rejectUnauthorized, connections: source.connections ?? QSEOW_CONNECTIONS };
  let requestAuth: RequestAuth;
  if (auth.type === 'certificate') {
    // Certificates travel in the TLS handshake, so they go into the pool's connect options.
    poolOptions.cert = await resolveSecret(auth.cert, 'QSEoW client certificate (client.pem)');
    poolOptions.key = await resolveSecret(auth.key, 'QSEoW client key (client_key.pem)');
    if (auth.ca) poolOptions.ca = await resolveSecret(auth.ca, 'QSEoW root certificate (root.pem)');
    if (auth.passphrase) poolOptions.passphrase = await resolveSecret(auth.passphrase, 'QSEoW client key passphrase');
    requestAuth = xrfAuth(async () => ({}), auth.cert);
  } else {
    requestAuth = xrfAuth(async () => ({ authorization: `Bearer ${await resolveSecret(auth.token, 'QSEoW JWT')}` }), auth.token);
  }
  const url = new URL(base);
  const pool = poolFor(url.origin, poolOptions);
  return new Transport({
    kind,
    baseUrl: base,
    target: `QSEoW site ${base}`,
    dispatcher: pool,
    auth: requestAuth,
    // With certificates X-Qlik-User says who acts (doc QRS-CERT). Through a JWT virtual proxy the JWT's user acts and
    // the proxy sets the header towards the QRS itself, so sending one would only mislead (audit F15).
    ...(auth.type === 'certificate'
      ? { headers: { 'X-Qlik-User': `UserDirectory=${source.user.directory}; UserId=${source.user.id}` } }
      : { session: proxySessionFor(pool, `${url.pathname.replace(/\/+$/, '')}|${auth.token}`) }),
  });
}

export const qrsClient = (source: SourceSpec): Promise<Transport> => qseowTransport(source, source.qrsUrl, 'qrs');
