/**
 * Phase 4: the multi-cloud identity provider (protocol qsefw-local-bearer-token) in the tenant, holding the
 * deployment's current local bearer token.
 *
 * Ownership: an IdP is ours when its description carries this tool's marker for THIS deployment name
 * (idp-marker.ts; the format of earlier versions is recognised too). A tenant may hold several non-interactive
 * multi-cloud IdPs (Qlik limits only active *interactive* IdPs to one), e.g. one made by hand or one per QSEoW
 * site: those are foreign, never touched, and reported in the result.
 *
 * Stale token detection: the cloud API never returns the token, so the marker carries a fingerprint of it. When
 * none of ours holds the current token and is active: create the new IdP FIRST, then delete our superseded ones.
 * A crash in between leaves two of ours; the re-run finds the fresh one by its fingerprint and deletes the rest.
 * At no point does the tenant lose a working IdP because of us.
 */
import type { Logger } from 'pino';
import type { PhaseContext } from '../plan/types';
import { assumptionMessage } from '../qlik/assumptions';
import { cloudClient } from '../qlik/cloud/client';
import { createMultiCloudIdp, type MultiCloudPayloadShape, deleteIdentityProvider, listIdentityProviders, MULTI_CLOUD_PROTOCOL, type IdentityProvider } from '../qlik/cloud/identity-providers';
import { getMe } from '../qlik/cloud/users';
import type { Transport } from '../qlik/transport';
import { configFailure, isHttpStatus } from '../qlik/errors';
import { hdsClient, readLocalBearerToken } from '../qlik/hds/deployments';
import { requireDeployment } from './ensure-deployment';
import { idpDescription, parseIdpMarker, sanitizeText, tokenFingerprint } from './idp-marker';
import type { PhasePlan } from './phase-plan';
import { runPhase, type ResolvedDeps } from './scope';
import type { EnsureIdpResult, ForeignIdp } from './types';

const MAX_FOREIGN_LISTED = 20;

interface TenantIdps {
  /** Ours for this deployment, with the fingerprint their marker carries. */
  ours: Array<{ idp: IdentityProvider; fingerprint: string }>;
  foreign: IdentityProvider[];
}

function classify(idps: IdentityProvider[], deploymentName: string): TenantIdps {
  const out: TenantIdps = { ours: [], foreign: [] };
  for (const idp of idps) {
    if (idp.protocol !== MULTI_CLOUD_PROTOCOL) continue;
    const marker = parseIdpMarker(idp.description);
    if (marker && marker.deployment === deploymentName) out.ours.push({ idp, fingerprint: marker.fingerprint });
    else out.foreign.push(idp);
  }
  return out;
}

/** What the IdP phase does in a tenant: which IdP of ours it keeps, which of ours it deletes, which it leaves alone. */
export interface IdpPlan extends PhasePlan {
  /** Ours, active and holding the current token: kept as is. Absent: a new one is created first. */
  keep?: IdentityProvider;
  /** Ours but stale, inactive or a duplicate: deleted once the tenant holds a current one of ours. */
  superseded: IdentityProvider[];
  /** Multi-cloud IdPs this tool did not make for this deployment: never touched, reported. */
  foreign: IdentityProvider[];
}

/**
 * The IdP phase's decision on the tenant's IdPs (read-only; ensureMultiCloudIdp acts on it, the dry run shows it).
 * `fingerprint` is that of the deployment's current local bearer token; undefined when the deployment does not
 * exist yet (the dry run before phase 3): then none of ours can hold its token.
 */
export function planIdp(idps: IdentityProvider[], deploymentName: string, fingerprint: string | undefined): IdpPlan {
  const { ours, foreign } = classify(idps, deploymentName);
  const keep = fingerprint === undefined ? undefined : ours.find((o) => o.fingerprint === fingerprint && o.idp.active !== false)?.idp;
  const superseded = ours.filter((o) => o.idp.id !== keep?.id).map((o) => o.idp);
  const ids = (list: IdentityProvider[]) => list.map((idp) => idp.id).join(', ');
  const parts: string[] = [];
  let action: PhasePlan['action'];
  if (keep && superseded.length === 0) {
    action = 'unchanged';
    parts.push(`multi-cloud IdP ${keep.id} of qlik-rollout holds the deployment's current token`);
  } else if (keep) {
    action = 'update';
    parts.push(`keep IdP ${keep.id} (current token); delete superseded IdP(s) of qlik-rollout ${ids(superseded)}`);
  } else if (superseded.length > 0) {
    action = 'update';
    parts.push(`replace IdP(s) of qlik-rollout ${ids(superseded)} (stale token or inactive): create the new one first, then delete them`);
  } else {
    action = 'create';
    parts.push(`create the multi-cloud IdP (${MULTI_CLOUD_PROTOCOL}) with the deployment's local bearer token`);
  }
  if (foreign.length > 0) {
    parts.push(`${foreign.length} multi-cloud IdP(s) not made by qlik-rollout for deployment "${deploymentName}" left alone (${foreign.slice(0, MAX_FOREIGN_LISTED).map((idp) => idp.id).join(', ')})`);
  }
  return { action, detail: parts.join('; '), ...(keep ? { keep } : {}), superseded, foreign };
}

function reportForeign(foreign: IdentityProvider[]): ForeignIdp[] {
  return foreign.slice(0, MAX_FOREIGN_LISTED).map((idp) => ({ id: idp.id, active: idp.active !== false, description: sanitizeText(idp.description) }));
}

/** The payload shape each tenant took last (assumption A7), so only the first create of a tenant may try both. */
const acceptedShape = new Map<string, MultiCloudPayloadShape>();

async function createOurs(cloud: Transport, tenant: string, input: Parameters<typeof createMultiCloudIdp>[1]): Promise<IdentityProvider> {
  const first = acceptedShape.get(cloud.target) ?? 'top-level';
  const shapes: MultiCloudPayloadShape[] = first === 'top-level' ? ['top-level', 'options'] : ['options', 'top-level'];
  let detail = '';
  for (const shape of shapes) {
    try {
      const created = await createMultiCloudIdp(cloud, input, shape);
      acceptedShape.set(cloud.target, shape);
      return created;
    } catch (err) {
      // Assumption A7: the create payload is known only from a community script; a 400 means this tenant wants
      // another shape. Nothing was deleted yet, so whatever IdPs the tenant had still work.
      if (!isHttpStatus(err, 400)) throw err;
      detail = err.detail ? ` Qlik said: ${sanitizeText(err.detail, 300)}.` : detail;
    }
  }
  throw configFailure(assumptionMessage('A7', `Tenant ${tenant}: creating the multi-cloud IdP (POST /api/v1/identity-providers) answered 400 to the token both at the top level and in options; the tenant's existing IdPs were left as they are.${detail}`));
}

/** The IdP logic itself, shared by ensureIdp and syncAfterReload's repair. */
export async function ensureMultiCloudIdp(ctx: Pick<PhaseContext, 'source' | 'tenant'>, log: Logger): Promise<EnsureIdpResult> {
  const cloud = cloudClient(ctx.tenant);
  const me = await getMe(cloud);
  const hds = await hdsClient(ctx.source);
  const deployment = await requireDeployment(hds, ctx);
  const token = await readLocalBearerToken(hds, deployment.id);
  const fingerprint = tokenFingerprint(token);
  const { keep, superseded, foreign } = planIdp(await listIdentityProviders(cloud), deployment.name, fingerprint);
  if (foreign.length > 0) log.info({ foreignIdpIds: foreign.map((idp) => idp.id) }, 'multi-cloud IdPs not made by qlik-rollout for this deployment: left alone');

  let kept = keep;
  let change: EnsureIdpResult['idp'] = 'unchanged';
  if (!kept) {
    kept = await createOurs(cloud, ctx.tenant.name, { tenantId: me.tenantId, description: idpDescription(deployment.name, token), token });
    change = superseded.length > 0 ? 'updated' : 'created';
  }
  // Only after the tenant holds a current IdP of ours: ours that are stale, inactive or duplicates go.
  const removed: string[] = [];
  for (const idp of superseded) {
    log.info({ idpId: idp.id }, 'deleting a superseded multi-cloud IdP of qlik-rollout for this deployment');
    try {
      await deleteIdentityProvider(cloud, idp.id);
    } catch (err) {
      if (!isHttpStatus(err, 404)) throw err;
    }
    removed.push(idp.id);
  }
  if (change === 'unchanged' && removed.length > 0) change = 'updated';
  return { idpId: kept.id, idp: change, removed, foreign: reportForeign(foreign), foreignCount: foreign.length };
}

export async function ensureIdp(ctx: PhaseContext, deps: ResolvedDeps): Promise<EnsureIdpResult> {
  return runPhase(deps, 'idp', ctx.tenant.name, (log) => ensureMultiCloudIdp(ctx, log));
}
