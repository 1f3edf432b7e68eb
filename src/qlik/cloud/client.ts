/**
 * The Qlik Cloud client of one tenant: API key (Bearer) or OAuth2 client credentials with the access token
 * cached until shortly before it expires. One undici pool per tenant host.
 */
import { z } from 'zod';
import type { TenantSpec } from '../../plan/types';
import { forgetSecret, resolveSecret } from '../../shared/secrets';
import { poolFor } from '../pools';
import { Transport, type RequestAuth } from '../transport';

/** Refresh this long before the token's stated expiry, so a call never goes out with a dying token. */
const TOKEN_EXPIRY_MARGIN_MS = 60_000;

const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().optional(),
  token_type: z.string().optional(),
});

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

const tokenCache = new Map<string, CachedToken>();

export function tenantTarget(tenant: TenantSpec): string {
  return `tenant ${tenant.name} (${tenant.url})`;
}

function oauthAuth(tenant: TenantSpec, clientId: string, secretRef: string, tokenTransport: () => Transport): RequestAuth {
  const cacheKey = `${tenant.url}|${clientId}`;
  return {
    credentialRef: secretRef,
    async prepare() {
      const cached = tokenCache.get(cacheKey);
      if (cached && cached.expiresAt > Date.now()) return { headers: { authorization: `Bearer ${cached.accessToken}` } };
      const clientSecret = await resolveSecret(secretRef, `OAuth client secret of tenant ${tenant.name}`);
      const res = await tokenTransport().request({
        method: 'POST',
        route: '/oauth/token',
        body: { client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials' },
        schema: TokenResponseSchema,
      });
      const lifetimeMs = (res.data.expires_in ?? 300) * 1000;
      tokenCache.set(cacheKey, {
        accessToken: res.data.access_token,
        expiresAt: Date.now() + Math.max(lifetimeMs - TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2),
      });
      return { headers: { authorization: `Bearer ${res.data.access_token}` } };
    },
    invalidate() {
      // A 401 with a cached token may just mean it was revoked early: fetch a fresh one once.
      return tokenCache.delete(cacheKey);
    },
  };
}

export function cloudClient(tenant: TenantSpec): Transport {
  const dispatcher = poolFor(new URL(tenant.url).origin);
  const common = { kind: 'cloud' as const, baseUrl: tenant.url, target: tenantTarget(tenant), tenant: tenant.name, dispatcher };
  const { auth } = tenant;
  if (auth.type === 'apiKey') {
    return new Transport({
      ...common,
      auth: {
        credentialRef: auth.key,
        async prepare() {
          return { headers: { authorization: `Bearer ${await resolveSecret(auth.key, `API key of tenant ${tenant.name}`)}` } };
        },
        // A rejected key may have been rotated since it was cached: the next attempt re-reads it.
        invalidate: () => forgetSecret(auth.key),
      },
    });
  }
  // The token endpoint itself is called without a bearer.
  const tokenTransport = () => new Transport({ ...common, auth: { credentialRef: auth.clientSecret, prepare: async () => ({ headers: {} }) } });
  return new Transport({ ...common, auth: oauthAuth(tenant, auth.clientId, auth.clientSecret, tokenTransport) });
}
