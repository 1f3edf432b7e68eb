/**
 * The phase activities as the worker registers them: `createActivities(deps)` binds the shared tunables and
 * logger, and returns an object implementing PhaseActivities.
 */
import { ensureDeployment } from './ensure-deployment';
import { ensureIdp } from './ensure-idp';
import { ensurePolicy } from './ensure-policy';
import { firstPublish } from './first-publish';
import { migratedTenants, type RolloutActivities } from './migrated-tenants';
import { forInput, resolveDeps, type ActivityDeps } from './scope';
import { syncAfterReload } from './sync-after-reload';
import type { PhaseActivities } from './types';
import { verifyApp } from './verify-app';
import { watchReloads } from './watch-reloads';

export type { ActivityDeps } from './scope';
export { onQlikCall, type QlikCallEvent } from '../qlik/transport';
export { closeAllPools } from '../qlik/pools';

export function createActivities(options: ActivityDeps = {}): PhaseActivities & RolloutActivities {
  const deps = resolveDeps(options);
  return {
    // Each phase call runs with the retry budgets of its plan (ctx.retries), else the worker's.
    ensurePolicy: (ctx) => ensurePolicy(ctx, forInput(deps, ctx)),
    verifyApp: (ctx) => verifyApp(ctx, forInput(deps, ctx)),
    ensureDeployment: (ctx) => ensureDeployment(ctx, forInput(deps, ctx)),
    ensureIdp: (ctx) => ensureIdp(ctx, forInput(deps, ctx)),
    firstPublish: (ctx) => firstPublish(ctx, forInput(deps, ctx)),
    syncAfterReload: (input) => syncAfterReload(input, forInput(deps, input.ctx)),
    watchReloads: (input) => watchReloads(input, deps),
    migratedTenants: (input) => migratedTenants(input),
  };
}
