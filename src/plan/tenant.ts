import type { CloudAuth, ManagedSpaceEntry, PhaseContext, RolloutPlan, SpaceAccessSpec, TenantEntry, TenantSpec } from './types';

/** Pure (workflow-safe): fills a tenant entry from the plan's tenantDefaults, replacing `{name}`. */
export function resolveTenant(plan: Pick<RolloutPlan, 'tenantDefaults'>, entry: TenantEntry): TenantSpec {
  const fill = (template: string) => template.split('{name}').join(entry.name);
  const auth: CloudAuth | undefined = entry.auth ?? plan.tenantDefaults.auth;
  const managedSpace = entry.managedSpace ?? plan.tenantDefaults.managedSpace;
  if (!auth || !managedSpace) {
    // The plan schema rejects such plans; this guards hand-built inputs.
    throw new Error(`Tenant ${entry.name} has no ${auth ? 'managedSpace' : 'auth'} and the plan has no default for it`);
  }
  const filledAuth: CloudAuth =
    auth.type === 'apiKey'
      ? { type: 'apiKey', key: fill(auth.key) }
      : { type: 'oauth', clientId: fill(auth.clientId), clientSecret: fill(auth.clientSecret) };
  const spaceAccess = resolveSpaceAccess(entry.managedSpaceAccess, plan.tenantDefaults.managedSpaceAccess, fill);
  return { name: entry.name, url: entry.url, managedSpace: fill(managedSpace), auth: filledAuth, ...(spaceAccess ? { spaceAccess } : {}) };
}

/** Field by field, the tenant's own managed-space access over the defaults', with `{name}` filled in names and refs. */
function resolveSpaceAccess(own: ManagedSpaceEntry | undefined, defaults: ManagedSpaceEntry | undefined, fill: (text: string) => string): SpaceAccessSpec | undefined {
  if (!own && !defaults) return undefined;
  const members = own?.members ?? defaults?.members ?? [];
  const verifyAs = own?.verifyAs ?? defaults?.verifyAs;
  return {
    members: members.map((member) => ({ type: member.type, name: fill(member.name), roles: [...member.roles] })),
    exact: own?.exactMembers ?? defaults?.exactMembers ?? false,
    noConsumers: own?.noConsumers ?? defaults?.noConsumers ?? 'warn',
    ...(verifyAs ? { verifyAs: fill(verifyAs) } : {}),
  };
}

export function findTenant(plan: RolloutPlan, name: string): TenantEntry | undefined {
  return plan.tenants.find((t) => t.name === name);
}

/** The phase context of one tenant of a plan. */
export function phaseContext(rolloutId: string, plan: RolloutPlan, entry: TenantEntry): PhaseContext {
  return {
    rolloutId,
    source: plan.source,
    tenant: resolveTenant(plan, entry),
    apps: plan.apps,
    policy: plan.policy,
    limits: plan.limits,
  };
}
