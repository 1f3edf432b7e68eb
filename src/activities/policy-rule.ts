/**
 * What a distribution policy looks like as a QRS SystemRule. Qlik does not document how the QMC stores
 * "Cloud distribution" policies; these are the most plausible values, kept in one place so a correction is a
 * one-line change:
 * - resourceFilter 'App_*' and action Distribute (1024): the QMC defaults for a new policy (doc HLP-POL-CREATE,
 *   bitmask from code IQ-REPO);
 * - category 'Sync': of the categories QRS accepts for custom rules (License, Security, Sync) the one used for
 *   multi-cloud/sync rules;
 * - ruleContext 0 (both hub and QMC), type 'Custom'.
 */
import type { PolicySpec } from '../plan/types';
import type { SystemRule } from '../qlik/qrs/system-rules';

export const DISTRIBUTION_POLICY_RULE = {
  resourceFilter: 'App_*',
  actions: 1024,
  category: 'Sync',
  type: 'Custom',
  ruleContext: 0,
} as const;

/** The standard OEM condition: the app's custom property value names the deployment, and the app sits in the stream. */
export function policyConditions(policy: PolicySpec): string {
  const stream = policy.stream.replace(/"/g, '\\"');
  return `((resource.@${policy.customProperty} = subject.name and resource.stream.name = "${stream}"))`;
}

export function desiredPolicyRule(policy: PolicySpec): Record<string, unknown> {
  return {
    name: policy.name,
    ...DISTRIBUTION_POLICY_RULE,
    rule: policyConditions(policy),
    disabled: false,
    comment: 'Distribution policy managed by qlik-rollout: apps whose custom property names a deployment go to that deployment.',
  };
}

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

/** What drifted on an existing rule (empty = as wanted). */
export function policyDrift(rule: SystemRule, policy: PolicySpec): string[] {
  const drift: string[] = [];
  if (normalize(rule.rule) !== normalize(policyConditions(policy))) drift.push('conditions');
  if (rule.disabled) drift.push('disabled');
  if (rule.resourceFilter !== DISTRIBUTION_POLICY_RULE.resourceFilter) drift.push('resourceFilter');
  if (rule.actions !== DISTRIBUTION_POLICY_RULE.actions) drift.push('actions');
  return drift;
}
