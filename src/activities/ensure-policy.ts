/**
 * Phase 1: the distribution policy on QSEoW, the tenant's deployment name as a choice value of the custom
 * property, and that value on every plan app. Many tenants run this at once against the same QRS objects:
 * creates are de-duplicated by name, updates re-read and re-apply on 409.
 */
import type { Logger } from 'pino';
import type { PhaseContext, PolicySpec } from '../plan/types';
import { configFailure } from '../qlik/errors';
import { appModifiedDate, appsCarryingValue, findAppsByName, pickPlanApp, type AppFacts } from '../qlik/qrs/apps';
import { qrsClient, quote } from '../qlik/qrs/client';
import { customPropertyDefinitions, findCustomPropertyDefinitions, type CustomPropertyDefinition, type CustomPropertyDefinitionRow } from '../qlik/qrs/custom-properties';
import { appCustomProperty } from '../qlik/qrs/selections';
import { systemRules, type SystemRule } from '../qlik/qrs/system-rules';
import type { Transport } from '../qlik/transport';
import { ensureOne, readModifyWrite } from './optimistic';
import { desiredPolicyRule, isOwnPolicy, policyCategory, repairedPolicy, reviewPolicy, type PolicyReview } from './policy-rule';
import type { PhasePlan } from './phase-plan';
import { assertDistributable } from './app-readiness';
import { runPhase, type ResolvedDeps } from './scope';
import type { Change, EnsurePolicyResult } from './types';

const oldestFirst = (a: { id: string; createdDate?: string }, b: { id: string; createdDate?: string }) =>
  String(a.createdDate ?? '').localeCompare(String(b.createdDate ?? '')) || a.id.localeCompare(b.id);

interface PolicyOutcome {
  id: string;
  change: Change;
  origin: EnsurePolicyResult['policyOrigin'];
  repaired: string[];
  notes: string[];
}

const policyWhat = (policy: PolicySpec, target: string) => `distribution policy "${policy.name}" on ${target}`;

/** The rule the phase would use among those QRS lists for the name: exact name only, the oldest (as ensureOne keeps). */
export function existingPolicy(rules: SystemRule[], name: string): SystemRule | undefined {
  return rules.filter((rule) => rule.name === name).sort(oldestFirst)[0];
}

/** The definition with the tenant's choice value and App among its object types; undefined when it has both. */
export function choiceValueEdit(definition: CustomPropertyDefinition, value: string): CustomPropertyDefinition | undefined {
  const hasValue = definition.choiceValues.includes(value);
  const forApps = (definition.objectTypes ?? []).includes('App');
  if (hasValue && forApps) return undefined;
  return {
    ...definition,
    choiceValues: hasValue ? definition.choiceValues : [...definition.choiceValues, value],
    objectTypes: forApps ? definition.objectTypes : [...(definition.objectTypes ?? []), 'App'],
  };
}

const unknownAppMessage = (tenant: string, app: string, target: string) =>
  `Tenant ${tenant}: the plan's app "${app}" does not exist on ${target} (the QRS app table has no app of that name): fix the name in the plan's apps[] or publish the app.`;

/** What the policy phase reads on QSEoW, as the dry run has it (read once per site, shared by every tenant). */
export interface PolicyFacts {
  /** Rules QRS lists for the policy name (its filter ignores case; only the exact name counts). */
  rules: SystemRule[];
  property?: CustomPropertyDefinition;
  /** Each plan app with its QSEoW id, when it exists. */
  apps: Array<{ name: string; id?: string }>;
  /** Ids of the plan apps that already carry the tenant's value. */
  carrying: Set<string>;
  /** notDistributable's answer (app-readiness.ts): why the phase would refuse to add the value to any app. */
  notDistributable?: string;
}

/**
 * What the policy phase would do for one tenant (read-only, for the dry run), decided by the same functions the
 * activity uses: unknown apps, apps that fail verification (notDistributable) and a policy it may not rewrite
 * (reviewPolicy's blocker) stop it, as they would.
 */
export function planPolicy(facts: PolicyFacts, policy: PolicySpec, tenant: string, target: string): PhasePlan {
  const problems = facts.apps.filter((app) => !app.id).map((app) => unknownAppMessage(tenant, app.name, target));
  if (facts.notDistributable) problems.push(facts.notDistributable);
  const changes: string[] = [];
  const notes: string[] = [];
  const rule = existingPolicy(facts.rules, policy.name);
  if (!rule) changes.push(`create distribution policy "${policy.name}" (category ${policyCategory(policy)})`);
  else {
    const review = reviewPolicy(rule, policy);
    if (review.blocker) problems.push(`${policyWhat(policy, target)}: ${review.blocker}`);
    if (review.repairs.length > 0) changes.push(`repair the ${review.origin} policy's ${review.repairs.join(', ')}`);
    notes.push(...review.notes);
  }
  if (!facts.property) changes.push(`create custom property ${policy.customProperty} with value ${tenant}`);
  else {
    // The activity's own edit, read back: what it would add.
    const edit = choiceValueEdit(facts.property, tenant);
    if (edit && edit.choiceValues !== facts.property.choiceValues) changes.push(`add ${tenant} to the choice values of ${policy.customProperty}`);
    if (edit && edit.objectTypes !== facts.property.objectTypes) changes.push(`allow ${policy.customProperty} on apps (object type App)`);
  }
  const unmarked = facts.apps.filter((app) => app.id && !facts.carrying.has(app.id));
  if (unmarked.length > 0) changes.push(`set ${policy.customProperty}=${tenant} on ${unmarked.map((app) => `"${app.name}"`).join(', ')}`);
  if (problems.length > 0) return { action: 'problem', detail: [...problems, ...changes].join('; ') };
  const detail = changes.length > 0 ? changes.join('; ') : `${rule && !isOwnPolicy(rule) ? 'adopted ' : ''}policy, choice value and app values in place`;
  return { action: changes.length === 0 ? 'unchanged' : rule ? 'update' : 'create', detail: [detail, ...notes].join('; ') };
}

/**
 * The policy by exact name: created (plan's category, A3), or found and adopted as it is; then only rule,
 * resourceFilter, actions and disabled are repaired (policy-rule.ts says which and why).
 */
async function ensurePolicyRule(qrs: Transport, policy: PolicySpec, deps: ResolvedDeps, log: Logger): Promise<PolicyOutcome> {
  const what = policyWhat(policy, qrs.target);
  const { entity, change, kept } = await ensureOne<SystemRule>({
    what,
    // QRS compares the filter case-insensitively; ensureOne keeps only the exact name (F19).
    find: () => systemRules.list(qrs, `name eq ${quote(policy.name)}`),
    key: (rule) => rule.name,
    wanted: policy.name,
    create: () => systemRules.create(qrs, desiredPolicyRule(policy)),
    remove: (rule) => systemRules.remove(qrs, rule.id),
    order: oldestFirst,
    // Only rules carrying the tool's marker are ever removed as duplicates; a QMC-made one is never deleted.
    isOwn: isOwnPolicy,
  });
  const notes = kept.map((rule) => `another rule named "${rule.name}" (${rule.id}) exists and was left alone; this one (${entity.id}) is used`);
  if (change === 'created') return { id: entity.id, change, origin: 'created', repaired: [], notes };
  let review: PolicyReview | undefined;
  const fixed = await readModifyWrite<SystemRule>({
    what,
    attempts: deps.conflictAttempts,
    coalesce: deps.coalesceWrites,
    read: () => systemRules.get(qrs, entity.id),
    modify: (rule) => {
      review = reviewPolicy(rule, policy);
      if (review.blocker) throw configFailure(`${what}: ${review.blocker}`);
      if (review.repairs.length === 0) return undefined;
      log.info({ policyId: rule.id, origin: review.origin, repairs: review.repairs }, 'distribution policy drifted; repairing only those fields');
      return repairedPolicy(rule, policy, review.repairs);
    },
    write: (rule) => systemRules.update(qrs, rule),
  });
  const final = review ?? reviewPolicy(await systemRules.get(qrs, entity.id), policy);
  if (final.notes.length > 0) log.warn({ policyId: entity.id, notes: final.notes }, 'adopted distribution policy differs from the plan');
  return { id: entity.id, change: fixed, origin: final.origin, repaired: fixed === 'updated' ? final.repairs : [], notes: [...notes, ...final.notes] };
}

async function ensureChoiceValue(qrs: Transport, propertyName: string, value: string, deps: ResolvedDeps): Promise<{ definition: CustomPropertyDefinitionRow; change: Change }> {
  const { entity, change: created } = await ensureOne<CustomPropertyDefinitionRow>({
    what: `custom property "${propertyName}" on ${qrs.target}`,
    find: () => findCustomPropertyDefinitions(qrs, `name eq ${quote(propertyName)}`),
    key: (definition) => definition.name,
    wanted: propertyName,
    // Created without values: a duplicate from a race may be deleted, so values go onto the survivor only.
    create: () => customPropertyDefinitions.create(qrs, { name: propertyName, valueType: 'Text', choiceValues: [], objectTypes: ['App'] }),
    // No isOwn: a racer deletes only the definition it created itself, never one it cannot prove it made (F19).
    remove: (definition) => customPropertyDefinitions.remove(qrs, definition.id),
    order: oldestFirst,
  });
  const change = await readModifyWrite<CustomPropertyDefinition>({
    what: `custom property "${propertyName}" on ${qrs.target}`,
    attempts: deps.conflictAttempts,
    coalesce: deps.coalesceWrites,
    read: () => customPropertyDefinitions.get(qrs, entity.id),
    modify: (definition) => choiceValueEdit(definition, value),
    write: (definition) => customPropertyDefinitions.update(qrs, definition),
  });
  return { definition: entity, change: created === 'created' ? 'created' : change };
}

/** One commit of values onto an app: the stamp it was read at, and the values it adds. */
interface AppValuesEdit {
  latestModifiedDate: string;
  added: string[];
}

/**
 * The tenant's value on one plan app. A count answers "already there" (every re-run); otherwise a multi-edit (QRS
 * selection + synthetic PUT) adds it, carrying the app's stamp from one table row: only the change travels, never
 * the app's value list, which grows with the tenant count. Concurrent tenants of this worker share one commit per
 * app; adding a value the app already has is a no-op, so a commit after a 409 simply re-sends its values.
 */
async function ensureAppValue(qrs: Transport, app: AppFacts, definition: CustomPropertyDefinitionRow, value: string, deps: ResolvedDeps): Promise<Change> {
  const propertyName = definition.name;
  if ((await appsCarryingValue(qrs, [app.id], propertyName, value)).has(app.id)) return 'unchanged';
  return readModifyWrite<AppValuesEdit>({
    what: `custom property "${propertyName}" on app "${app.name}" (${app.id}) on ${qrs.target}`,
    attempts: deps.conflictAttempts,
    coalesce: deps.coalesceWrites,
    read: async () => {
      const latestModifiedDate = await appModifiedDate(qrs, app.id);
      if (!latestModifiedDate) throw configFailure(`App "${app.name}" (${app.id}) disappeared from ${qrs.target} while its ${propertyName} values were being set; check the plan's apps[].`);
      return { latestModifiedDate, added: [] };
    },
    modify: (edit) => (edit.added.includes(value) ? undefined : { ...edit, added: [...edit.added, value] }),
    write: (edit) => appCustomProperty.add(qrs, [app.id], definition, edit.latestModifiedDate, edit.added),
  });
}

/** The QSEoW app of every plan entry; an unknown app is a plan error. */
export async function resolvePlanApps(qrs: Transport, ctx: Pick<PhaseContext, 'apps' | 'tenant'>): Promise<AppFacts[]> {
  const candidates = await findAppsByName(qrs, ctx.apps.map((app) => app.name));
  return ctx.apps.map((spec) => {
    const app = pickPlanApp(candidates, spec.name, spec.stream);
    if (!app) throw configFailure(unknownAppMessage(ctx.tenant.name, spec.name, qrs.target));
    return app;
  });
}

export async function ensurePolicy(ctx: PhaseContext, deps: ResolvedDeps): Promise<EnsurePolicyResult> {
  return runPhase(deps, 'policy', ctx.tenant.name, async (log) => {
    const qrs = await qrsClient(ctx.source);
    const apps = await resolvePlanApps(qrs, ctx);
    // The value added below makes QSEoW distribute the apps: never to an app that fails verification.
    await assertDistributable(qrs, apps, ctx);
    const policy = await ensurePolicyRule(qrs, ctx.policy, deps, log);
    const { definition, change: choiceValue } = await ensureChoiceValue(qrs, ctx.policy.customProperty, ctx.tenant.name, deps);
    // allSettled: the attempt ends only when no write of it is still in flight.
    const settled = await Promise.allSettled(apps.map((app) => ensureAppValue(qrs, app, definition, ctx.tenant.name, deps)));
    const values = settled.map((outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    });
    return {
      policyId: policy.id,
      policy: policy.change,
      policyOrigin: policy.origin,
      policyRepaired: policy.repaired,
      policyNotes: policy.notes,
      choiceValue,
      apps: apps.map((app, i) => ({ name: app.name, appId: app.id, value: values[i] })),
    };
  });
}
