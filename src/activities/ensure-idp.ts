/**
 * Phase 4: the multi-cloud identity provider (protocol qsefw-local-bearer-token) in the tenant, holding the
 * deployment's current local bearer token.
 *
 * Stale token detection: the cloud API never returns the token, so we write a fingerprint of it (the first 16
 * hex characters of its SHA-256: identifies the token without revealing it) into the IdP description. An IdP
 * whose fingerprint differs from the current token's, or that has none (made by hand, unknown token), or is
 * inactive, is replaced: delete, then create. Delete first because a tenant holds one multi-cloud IdP; a crash
 * in between leaves none, and the re-run creates it.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { PhaseContext } from '../plan/types';
import { cloudClient } from '../qlik/cloud/client';
import { createMultiCloudIdp, deleteIdentityProvider, listIdentityProviders, MULTI_CLOUD_PROTOCOL, type IdentityProvider } from '../qlik/cloud/identity-providers';
import { getMe } from '../qlik/cloud/users';
import { isHttpStatus } from '../qlik/errors';
import { hdsClient, readLocalBearerToken } from '../qlik/hds/deployments';
import { requireDeployment } from './ensure-deployment';
import { runPhase, type ResolvedDeps } from './scope';
import type { Change, EnsureIdpResult } from './types';

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

export function idpDescription(deploymentName: string, token: string): string {
  return `Multi-cloud IdP for QSEoW deployment "${deploymentName}", managed by qlik-rollout. token-sha256:${tokenFingerprint(token)}`;
}

/** Whether this IdP holds `token` as far as we can know: our fingerprint in its description, and active. */
export function holdsToken(idp: IdentityProvider, token: string): boolean {
  return idp.active !== false && (idp.description ?? '').includes(`token-sha256:${tokenFingerprint(token)}`);
}

/** The IdP logic itself, shared by ensureIdp and syncAfterReload's repair. */
export async function ensureMultiCloudIdp(ctx: Pick<PhaseContext, 'source' | 'tenant'>, log: Logger): Promise<EnsureIdpResult> {
  const cloud = cloudClient(ctx.tenant);
  const me = await getMe(cloud);
  const hds = await hdsClient(ctx.source);
  const deployment = await requireDeployment(hds, ctx);
  const token = await readLocalBearerToken(hds, deployment.id);
  const existing = (await listIdentityProviders(cloud)).filter((idp) => idp.protocol === MULTI_CLOUD_PROTOCOL);
  const current = existing.find((idp) => holdsToken(idp, token));
  let change: Change = 'unchanged';
  for (const idp of existing) {
    if (idp === current) continue;
    log.info({ idpId: idp.id }, 'multi-cloud IdP holds a stale or unknown token; replacing it');
    try {
      await deleteIdentityProvider(cloud, idp.id);
    } catch (err) {
      if (!isHttpStatus(err, 404)) throw err;
    }
    change = 'updated';
  }
  if (current) return { idpId: current.id, idp: change };
  const created = await createMultiCloudIdp(cloud, { tenantId: me.tenantId, description: idpDescription(deployment.name, token), token });
  return { idpId: created.id, idp: change === 'updated' ? 'updated' : 'created' };
}

export async function ensureIdp(ctx: PhaseContext, deps: ResolvedDeps): Promise<EnsureIdpResult> {
  return runPhase(deps, 'idp', ctx.tenant.name, (log) => ensureMultiCloudIdp(ctx, log));
}
