/**
 * Phase 3: the tenant's deployment on QSEoW (Hybrid Deployment Service), found by name, created with a local
 * bearer token if absent. The token is read only to check it exists; it is never returned (ensureIdp reads it
 * again inside its own activity).
 */
import type { PhaseContext, TenantSpec } from '../plan/types';
import { configFailure } from '../qlik/errors';
import { createDeployment, findDeployment, hdsClient, readLocalBearerToken, type Deployment } from '../qlik/hds/deployments';
import type { Transport } from '../qlik/transport';
import type { PhasePlan } from './phase-plan';
import { runPhase, type ResolvedDeps } from './scope';
import type { EnsureDeploymentResult } from './types';

const sameUrl = (a: string | undefined, b: string) => (a ?? '').toLowerCase().replace(/\/+$/, '') === b.toLowerCase().replace(/\/+$/, '');

/** The tenant's deployment, or a config failure saying to run the deployment phase (used by later phases). */
export async function requireDeployment(hds: Transport, ctx: Pick<PhaseContext, 'tenant'>): Promise<Deployment> {
  const deployment = await findDeployment(hds, ctx.tenant.name);
  if (!deployment) {
    throw configFailure(`Tenant ${ctx.tenant.name}: no deployment named "${ctx.tenant.name}" on ${hds.target}; run the deployment phase first (it creates it).`);
  }
  return deployment;
}

/**
 * What the deployment phase does with the deployment the HDS lists under the tenant's name (read-only; the
 * activity acts on it, the dry run shows it): create it, keep it, or stop because it points at another tenant.
 */
export function planDeployment(found: Deployment | undefined, tenant: Pick<TenantSpec, 'name' | 'url'>, target: string): PhasePlan {
  if (!found) return { action: 'create', detail: `create deployment ${tenant.name} -> ${tenant.url} (local bearer token)` };
  if (found.serviceUrl !== undefined && !sameUrl(found.serviceUrl, tenant.url)) {
    // Never silently re-point a customer's deployment at another tenant: a person decides.
    return {
      action: 'problem',
      detail: `Tenant ${tenant.name}: deployment "${found.name}" on ${target} points at ${found.serviceUrl}, not ${tenant.url}: fix the tenant URL in the plan or change/delete the deployment in the QMC.`,
    };
  }
  return { action: 'unchanged', detail: `deployment ${tenant.name} exists (${found.id})` };
}

/** Why the phase stops when the deployment's local bearer token is empty (shared with the dry run). */
export const missingTokenMessage = (tenant: string, deployment: string): string =>
  `Tenant ${tenant}: deployment "${deployment}" has no local bearer token; enable "Use local bearer token" on it in the QMC.`;

export async function ensureDeployment(ctx: PhaseContext, deps: ResolvedDeps): Promise<EnsureDeploymentResult> {
  return runPhase(deps, 'deployment', ctx.tenant.name, async (log) => {
    const hds = await hdsClient(ctx.source);
    let deployment = await findDeployment(hds, ctx.tenant.name);
    let change: EnsureDeploymentResult['deployment'] = 'unchanged';
    const plan = planDeployment(deployment, ctx.tenant, hds.target);
    if (plan.action === 'problem') throw configFailure(plan.detail);
    if (!deployment) {
      deployment = await createDeployment(hds, { name: ctx.tenant.name, serviceUrl: ctx.tenant.url });
      change = 'created';
      log.info({ deploymentId: deployment.id }, 'deployment created');
    }
    const token = await readLocalBearerToken(hds, deployment.id);
    if (!token) throw configFailure(missingTokenMessage(ctx.tenant.name, deployment.name));
    return { deploymentId: deployment.id, deployment: change };
  });
}
