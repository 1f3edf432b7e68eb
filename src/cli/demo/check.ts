/**
 * The demo's definition of done, read from the simulator's own state (not from our workflows): every tenant
 * has exactly one cloud app per plan app, in its managed space, carrying the app's latest reload on QSEoW.
 */
import type { SimState } from '../../simulator/api';
import type { RolloutPlan } from '../../plan/types';
import { resolveTenant } from '../../plan/tenant';
import { cloudClient } from '../../qlik/cloud/client';
import { AppItemSchema } from '../../qlik/cloud/items';
import { listAll } from '../../qlik/cloud/pagination';
import { listAssignments } from '../../qlik/cloud/space-assignments';
import { findSpace } from '../../qlik/cloud/spaces';
import { GroupSchema } from '../../qlik/cloud/groups';

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

/**
 * "A customer user sees the app": for each tenant whose plan names a verification identity, the plan's apps are
 * in that user's own items listing (their API key, over HTTP: what Qlik shows them, not what the state says).
 */
export async function checkCustomerSees(plan: RolloutPlan): Promise<TenantCheck[]> {
  return Promise.all(
    plan.tenants.map(async (entry) => {
      const spec = resolveTenant(plan, entry);
      const verifyAs = spec.spaceAccess?.verifyAs;
      if (!verifyAs) return { tenant: entry.name, ok: false, problems: ['the plan names no customer user (managedSpace.verifyAs)'] };
      const user = cloudClient({ ...spec, auth: { type: 'apiKey', key: verifyAs } });
      const seen = new Set((await listAll(user, '/api/v1/items', { resourceType: 'app', limit: 100 }, AppItemSchema)).map((item) => item.name));
      const problems = plan.apps.filter((app) => !seen.has(app.name)).map((app) => `a customer user does not see "${app.name}"`);
      return { tenant: entry.name, ok: problems.length === 0, problems };
    }),
  );
}

/** The managed space's members of one tenant, as the demo shows them: "group Customers: consumer". */
export async function describeMembers(plan: RolloutPlan, tenantName: string): Promise<string[]> {
  const entry = plan.tenants.find((t) => t.name === tenantName);
  if (!entry) return [];
  const spec = resolveTenant(plan, entry);
  const cloud = cloudClient(spec);
  const space = await findSpace(cloud, spec.managedSpace, 'managed');
  if (!space) return [];
  return Promise.all(
    (await listAssignments(cloud, space.id)).map(async (a) => {
      const route = a.type === 'group' ? '/api/v1/groups/{id}' : '/api/v1/users/{id}';
      const named = await cloud.request({ method: 'GET', route, params: { id: a.assigneeId }, schema: GroupSchema }).then((res) => res.data.name, () => a.assigneeId);
      return `${a.type} ${named}: ${a.roles.join(', ')}`;
    }),
  );
}
