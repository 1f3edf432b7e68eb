/** The PhaseContext of a tenant from the plan subset its workflows receive. Workflow-safe. */
import { resolveTenant } from '../plan/tenant';
import type { PhaseContext } from '../plan/types';
import type { TenantWorkflowInput } from './messages';

export function tenantContext(rolloutId: string, plan: TenantWorkflowInput['plan'], entry: TenantWorkflowInput['tenant']): PhaseContext {
  return {
    rolloutId, source: plan.source, tenant: resolveTenant(plan, entry), apps: plan.apps, policy: plan.policy, limits: plan.limits,
    ...(plan.distribution ? { distribution: plan.distribution } : {}),
    ...(plan.retries ? { retries: plan.retries } : {}),
  };
}

/** True when ISO timestamp `a` is later than `b` (an absent `b` is older than anything). */
export function isLater(a: string, b: string | undefined): boolean {
  return b === undefined || Date.parse(a) > Date.parse(b);
}

/** The later of two ISO timestamps (an absent `b` yields `a`). */
export function latest(a: string, b: string | undefined): string {
  return isLater(a, b) ? a : b!;
}
