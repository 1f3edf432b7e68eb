/** Qlik Cloud identity providers, in particular the multi-cloud one (protocol qsefw-local-bearer-token). */
import { z } from 'zod';
import type { Transport } from '../transport';
import { listAll } from './pagination';

export const MULTI_CLOUD_PROTOCOL = 'qsefw-local-bearer-token';

export const IdentityProviderSchema = z.looseObject({
  id: z.string(),
  protocol: z.string(),
  provider: z.string().optional(),
  active: z.boolean().optional(),
  interactive: z.boolean().optional(),
  description: z.string().nullish(),
  tenantIds: z.array(z.string()).nullish(),
  /** When the IdP was made (IDP.created in @qlik/api). */
  created: z.string().nullish(),
});
export type IdentityProvider = z.output<typeof IdentityProviderSchema>;

export function listIdentityProviders(cloud: Transport): Promise<IdentityProvider[]> {
  return listAll(cloud, '/api/v1/identity-providers', { limit: 100 }, IdentityProviderSchema);
}

export interface MultiCloudIdpInput {
  tenantId: string;
  description: string;
  /** The deployment's local bearer token (Qlik Cloud format). Secret: sent in the body, never logged. */
  token: string;
}

/** Where the create body carries the token: top level (BD-MC) or in `options` (like other non-interactive IdPs). */
export type MultiCloudPayloadShape = 'top-level' | 'options';

/**
 * Assumption A7: the top-level payload comes from one community script (BD-MC); the official IDPPostSchema has no
 * multi-cloud shape, and asks non-interactive IdPs for their settings in `options`. The caller (ensure-idp.ts) tries
 * the other shape on a 400 and stops naming A7 when neither is taken.
 */
export async function createMultiCloudIdp(cloud: Transport, input: MultiCloudIdpInput, shape: MultiCloudPayloadShape = 'top-level'): Promise<IdentityProvider> {
  const common = { provider: 'qlik', protocol: MULTI_CLOUD_PROTOCOL, interactive: false, active: true, description: input.description, tenantIds: [input.tenantId] };
  const body = shape === 'top-level' ? { ...common, base64Encoded: input.token } : { ...common, options: { base64Encoded: input.token } };
  return (await cloud.request({ method: 'POST', route: '/api/v1/identity-providers', body, schema: IdentityProviderSchema })).data;
}

export async function deleteIdentityProvider(cloud: Transport, id: string): Promise<void> {
  await cloud.call({ method: 'DELETE', route: '/api/v1/identity-providers/{id}', params: { id } });
}
