/**
 * The demo's definition of done, read from the simulator's own state (not from our workflows): every tenant
 * has exactly one cloud app per plan app, in its managed space, carrying the app's latest reload on QSEoW.
 */
import type { SimState } from '../../simulator/api';
import type { RolloutPlan } from '../../plan/types';
import { resolveTenant } from '../../plan/tenant';

export interface TenantCheck {
  tenant: string;
  ok: boolean;
  problems: string[];
}

export function checkMigrated(plan: RolloutPlan, state: SimState): TenantCheck[] {
  return plan.tenants.map((entry) => {
    const spec = resolveTenant(plan, entry);
    const tenant = state.tenants[entry.name];
    const problems: string[] = [];
    if (!tenant) return { tenant: entry.name, ok: false, problems: ['unknown to the simulator'] };
    const space = tenant.spaces.find((s) => s.name === spec.managedSpace && s.type === 'managed');
    if (!space) problems.push(`no managed space "${spec.managedSpace}"`);
    for (const app of plan.apps) {
      const source = state.site.apps.find((a) => a.name === app.name && a.published && a.stream === app.stream);
      const copies = tenant.apps.filter((a) => a.name === app.name);
      if (copies.length !== 1) {
        problems.push(`${copies.length} copies of "${app.name}" (expected 1)`);
        continue;
      }
      if (space && copies[0].spaceId !== space.id) problems.push(`"${app.name}" is not in "${spec.managedSpace}"`);
      if (source && copies[0].lastReloadTime !== source.lastReloadTime) {
        problems.push(`"${app.name}" has reload ${copies[0].lastReloadTime}, QSEoW has ${source.lastReloadTime}`);
      }
    }
    return { tenant: entry.name, ok: problems.length === 0, problems };
  });
}
