/**
 * Phase 3: the tenant's deployment on QSEoW (Hybrid Deployment Service), found by name, created with a local
 * bearer token if absent. The token is read only to check it exists; it is never returned (ensureIdp reads it
 * again inside its own activity).
 */
import type { PhaseContext } from '../plan/types';
import { configFailure } from '../qlik/errors';
import { createDeployment, findDeployment, hdsClient, readLocalBearerToken, type Deployment } from '../qlik/hds/deployments';
import type { Transport } from '../qlik/transport';
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

export async function ensureDeployment(ctx: PhaseContext, deps: ResolvedDeps): Promise<EnsureDeploymentResult> {
  return runPhase(deps, 'deployment', ctx.tenant.name, async (log) => {
    const hds = await hdsClient(ctx.source);
    let deployment = await findDeployment(hds, ctx.tenant.name);
    let change: EnsureDeploymentResult['deployment'] = 'unchanged';
    if (!deployment) {
      deployment = await createDeployment(hds, { name: ctx.tenant.name, serviceUrl: ctx.tenant.url });
      change = 'created';
      log.info({ deploymentId: deployment.id }, 'deployment created');
    } else if (deployment.serviceUrl !== undefined && !sameUrl(deployment.serviceUrl, ctx.tenant.url)) {
      // Never silently re-point a customer's deployment at another tenant: a person decides.
      throw configFailure(
        `Tenant ${ctx.tenant.name}: deployment "${deployment.name}" on ${hds.target} points at ${deployment.serviceUrl}, not ${ctx.tenant.url}: fix the tenant URL in the plan or change/delete the deployment in the QMC.`,
      );
    }
    const token = await readLocalBearerToken(hds, deployment.id);
    if (!token) {
      throw configFailure(`Tenant ${ctx.tenant.name}: deployment "${deployment.name}" has no local bearer token; enable "Use local bearer token" on it in the QMC.`);
    }
    return { deploymentId: deployment.id, deployment: change };
  });
}
