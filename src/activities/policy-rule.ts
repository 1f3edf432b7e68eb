/**
 * What a distribution policy looks like as a QRS SystemRule, and what phase 1 may change on one it finds.
 *
 * Qlik documents distribution policies ("Cloud distribution" in the QMC) as rules "similar to security rules" with
 * resource filter `App_*`, action Distribute (1024, swagger SecurityActions) and conditions on `subject.name` (the
 * deployment) and `resource.*` (doc HLP-POL-CREATE). It does not document the category the QMC writes for them.
 * Assumption A3: a policy qlik-rollout creates gets the plan's `policy.category`, default 'Security' (policies are
 * "similar to security rules"); never 'Sync', which is QRS's load-balancing category (/qrs/systemrule/sync/audit is
 * the "Load balancing rule audit"), refused by the plan validation.
 *
 * A policy that already exists by name is adopted: QRS PUTs replace the whole entity, so a repair sends back every
 * field as read and changes only rule, resourceFilter, actions and disabled; category, subcategory, type,
 * ruleContext, comment and tags stay what the QMC (or an earlier run) wrote.
 *
 * Conditions (the rule text) of an existing policy. The values phase 1 adds only mean something when the policy
 * holds `resource.@<customProperty> = subject.name` and the stream condition. What users expect:
 * - a policy qlik-rollout made (its comment carries POLICY_MARKER) is the plan's: drift is repaired, like any other
 *   field (someone edited or disabled it by hand);
 * - a policy an admin made in the QMC and named in the plan is theirs: its conditions are never rewritten unless
 *   the plan says so (`policy.manageConditions: true`). If they hold both conditions the tool relies on (extra
 *   conditions are the admin's choice), the difference is reported in the phase result; if they lack one, the
 *   tool's values would distribute nothing, so the tenant fails with a message saying what is missing and the three
 *   ways out (edit it in the QMC, let the tool manage it, or name another policy).
 * `policy.manageConditions: false` makes the tool's own policy behave like an adopted one.
 */
import type { PolicySpec } from '../plan/types';
import type { SystemRule } from '../qlik/qrs/system-rules';

/** Assumption A3: the category of a policy qlik-rollout creates when the plan names none. */
export const DEFAULT_POLICY_CATEGORY = 'Security';

/** In the comment of every policy qlik-rollout creates: how a later run knows the policy is its own. */
export const POLICY_MARKER = 'managed by qlik-rollout';

/** The fields phase 1 keeps as wanted on any policy, adopted or its own (with `disabled: false`). */
export const DISTRIBUTION_POLICY_RULE = {
  resourceFilter: 'App_*',
  actions: 1024,
} as const;

/** Written on create only: a custom rule for both hub and QMC (ruleContext 0), as the QMC's own defaults. */
const CREATE_ONLY = { type: 'Custom', ruleContext: 0 } as const;

export const policyCategory = (policy: PolicySpec): string => policy.category ?? DEFAULT_POLICY_CATEGORY;

const streamCondition = (policy: PolicySpec) => `resource.stream.name = "${policy.stream.replace(/"/g, '\\"')}"`;
const pinCondition = (policy: PolicySpec) => `resource.@${policy.customProperty} = subject.name`;

/** The standard OEM condition: the app's custom property value names the deployment, and the app sits in the stream. */
export function policyConditions(policy: PolicySpec): string {
  return `((${pinCondition(policy)} and ${streamCondition(policy)}))`;
}

export function desiredPolicyRule(policy: PolicySpec): Record<string, unknown> {
  return {
    name: policy.name,
    ...DISTRIBUTION_POLICY_RULE,
    ...CREATE_ONLY,
    category: policyCategory(policy),
    ...(policy.subcategory ? { subcategory: policy.subcategory } : {}),
    rule: policyConditions(policy),
    disabled: false,
    comment: `Distribution policy ${POLICY_MARKER}: apps whose custom property names a deployment go to that deployment.`,
  };
}

/** Made by qlik-rollout (its marker in the comment), as opposed to adopted. */
export const isOwnPolicy = (rule: Pick<SystemRule, 'comment'>): boolean => (rule.comment ?? '').includes(POLICY_MARKER);

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();
/** For presence checks: rule comparisons are case-insensitive and spacing is free. */
const squeeze = (text: string) => text.replace(/\s+/g, '').toLowerCase();

/**
 * The conditions the tool relies on that `ruleText` lacks (empty = it holds both). A presence check on the text,
 * in either operand order; it does not prove what the whole rule evaluates to (an admin's extra `or` may widen it).
 */
export function missingConditions(ruleText: string, policy: PolicySpec): string[] {
  const text = squeeze(ruleText);
  const either = (left: string, right: string) => text.includes(squeeze(`${left}=${right}`)) || text.includes(squeeze(`${right}=${left}`));
  const missing: string[] = [];
  if (!either(`resource.@${policy.customProperty}`, 'subject.name')) missing.push(pinCondition(policy));
  if (!either('resource.stream.name', `"${policy.stream.replace(/"/g, '\\"')}"`)) missing.push(streamCondition(policy));
  return missing;
}

export type PolicyField = 'conditions' | 'disabled' | 'resourceFilter' | 'actions';

export interface PolicyReview {
  origin: 'own' | 'adopted';
  /** Fields to repair (write back as wanted). */
  repairs: PolicyField[];
  /** Differences left alone on purpose, for the phase result. */
  notes: string[];
  /** Set when the policy cannot work and may not be rewritten: why, and what to do (the tenant fails with it). */
  blocker?: string;
}

/** What phase 1 does to an existing policy: see the module comment. */
export function reviewPolicy(rule: SystemRule, policy: PolicySpec): PolicyReview {
  const origin = isOwnPolicy(rule) ? 'own' : 'adopted';
  const review: PolicyReview = { origin, repairs: [], notes: [] };
  if (normalize(rule.rule) !== normalize(policyConditions(policy))) {
    const manage = policy.manageConditions ?? origin === 'own';
    const missing = missingConditions(rule.rule, policy);
    if (manage) review.repairs.push('conditions');
    else if (missing.length === 0) review.notes.push(`conditions differ from the plan's and are kept as found (policy.manageConditions is off): ${normalize(rule.rule)}`);
    else {
      review.blocker =
        `the ${origin === 'adopted' ? 'adopted policy (not made by qlik-rollout, e.g. in the QMC\'s Cloud distribution page)' : 'policy'} has the conditions ${JSON.stringify(normalize(rule.rule))}, ` +
        `which lack ${missing.join(' and ')}: the ${policy.customProperty} values qlik-rollout adds would distribute no app. ` +
        `Edit the policy in the QMC to hold them (e.g. ${policyConditions(policy)}), or set policy.manageConditions: true in the plan to let qlik-rollout rewrite its conditions, or set policy.name to another policy.`;
    }
  }
  if (rule.disabled) review.repairs.push('disabled');
  if (rule.resourceFilter !== DISTRIBUTION_POLICY_RULE.resourceFilter) review.repairs.push('resourceFilter');
  if (rule.actions !== DISTRIBUTION_POLICY_RULE.actions) review.repairs.push('actions');
  return review;
}

/** The rule as read with only the repaired fields changed (QRS PUT is whole-entity: everything else goes back as read). */
export function repairedPolicy(rule: SystemRule, policy: PolicySpec, repairs: PolicyField[]): SystemRule {
  const next = { ...rule };
  for (const field of repairs) {
    if (field === 'conditions') next.rule = policyConditions(policy);
    else if (field === 'disabled') next.disabled = false;
    else if (field === 'resourceFilter') next.resourceFilter = DISTRIBUTION_POLICY_RULE.resourceFilter;
    else next.actions = DISTRIBUTION_POLICY_RULE.actions;
  }
  return next;
}
