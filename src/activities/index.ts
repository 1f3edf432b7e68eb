/**
 * The phase activities as the worker registers them: `createActivities(deps)` binds the shared tunables and
 * logger, and returns an object implementing PhaseActivities.
 */
import { ensureDeployment } from './ensure-deployment';
import { ensureIdp } from './ensure-idp';
import { ensurePolicy } from './ensure-policy';
import { firstPublish } from './first-publish';
import { resolveDeps, type ActivityDeps } from './scope';
import { syncAfterReload } from './sync-after-reload';
import type { PhaseActivities } from './types';
import { verifyApp } from './verify-app';
import { watchReloads } from './watch-reloads';

export type { ActivityDeps } from './scope';
export { onQlikCall, type QlikCallEvent } from '../qlik/transport';
export { closeAllPools } from '../qlik/pools';

export function createActivities(options: ActivityDeps = {}): PhaseActivities {
  const deps = resolveDeps(options);
  return {
    ensurePolicy: (ctx) => ensurePolicy(ctx, deps),
    verifyApp: (ctx) => verifyApp(ctx, deps),
    ensureDeployment: (ctx) => ensureDeployment(ctx, deps),
    ensureIdp: (ctx) => ensureIdp(ctx, deps),
    firstPublish: (ctx) => firstPublish(ctx, deps),
    syncAfterReload: (input) => syncAfterReload(input, deps),
    watchReloads: (input) => watchReloads(input, deps),
  };
}
