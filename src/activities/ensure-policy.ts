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
import { desiredPolicyRule, policyConditions, policyDrift, DISTRIBUTION_POLICY_RULE } from './policy-rule';
import { runPhase, type ResolvedDeps } from './scope';
import type { Change, EnsurePolicyResult } from './types';

const oldestFirst = (a: { id: string; createdDate?: string }, b: { id: string; createdDate?: string }) =>
  String(a.createdDate ?? '').localeCompare(String(b.createdDate ?? '')) || a.id.localeCompare(b.id);

async function ensurePolicyRule(qrs: Transport, policy: PolicySpec, deps: ResolvedDeps, log: Logger): Promise<{ id: string; change: Change }> {
  const { entity, change } = await ensureOne<SystemRule>({
    find: () => systemRules.list(qrs, `name eq ${quote(policy.name)}`),
    create: () => systemRules.create(qrs, desiredPolicyRule(policy)),
    remove: (rule) => systemRules.remove(qrs, rule.id),
    order: oldestFirst,
  });
  if (change === 'created') return { id: entity.id, change };
  const fixed = await readModifyWrite<SystemRule>({
    what: `distribution policy "${policy.name}" on ${qrs.target}`,
    attempts: deps.conflictAttempts,
    coalesce: deps.coalesceWrites,
    read: () => systemRules.get(qrs, entity.id),
    modify: (rule) => {
      const drift = policyDrift(rule, policy);
      if (drift.length === 0) return undefined;
      log.info({ policyId: rule.id, drift }, 'distribution policy drifted; restoring it');
      return { ...rule, ...DISTRIBUTION_POLICY_RULE, rule: policyConditions(policy), disabled: false };
    },
    write: (rule) => systemRules.update(qrs, rule),
  });
  return { id: entity.id, change: fixed };
}

async function ensureChoiceValue(qrs: Transport, propertyName: string, value: string, deps: ResolvedDeps): Promise<{ definition: CustomPropertyDefinitionRow; change: Change }> {
  const { entity, change: created } = await ensureOne<CustomPropertyDefinitionRow>({
    find: () => findCustomPropertyDefinitions(qrs, `name eq ${quote(propertyName)}`),
    // Created without values: a duplicate from a race may be deleted, so values go onto the survivor only.
    create: () => customPropertyDefinitions.create(qrs, { name: propertyName, valueType: 'Text', choiceValues: [], objectTypes: ['App'] }),
    remove: (definition) => customPropertyDefinitions.remove(qrs, definition.id),
    order: oldestFirst,
  });
  const change = await readModifyWrite<CustomPropertyDefinition>({
    what: `custom property "${propertyName}" on ${qrs.target}`,
    attempts: deps.conflictAttempts,
    coalesce: deps.coalesceWrites,
    read: () => customPropertyDefinitions.get(qrs, entity.id),
    modify: (definition) => {
      const hasValue = definition.choiceValues.includes(value);
      const forApps = (definition.objectTypes ?? []).includes('App');
      if (hasValue && forApps) return undefined;
      return {
        ...definition,
        choiceValues: hasValue ? definition.choiceValues : [...definition.choiceValues, value],
        objectTypes: forApps ? definition.objectTypes : [...(definition.objectTypes ?? []), 'App'],
      };
    },
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
async function ensureAppValue(qrs: Transport, app: AppFacts, propertyName: string, value: string, deps: ResolvedDeps): Promise<Change> {
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
    write: (edit) => appCustomProperty.add(qrs, [app.id], propertyName, edit.latestModifiedDate, edit.added),
  });
}

/** The QSEoW app of every plan entry; an unknown app is a plan error. */
export async function resolvePlanApps(qrs: Transport, ctx: Pick<PhaseContext, 'apps' | 'tenant'>): Promise<AppFacts[]> {
  const candidates = await findAppsByName(qrs, ctx.apps.map((app) => app.name));
  return ctx.apps.map((spec) => {
    const app = pickPlanApp(candidates, spec.name, spec.stream);
    if (!app) {
      throw configFailure(
        `Tenant ${ctx.tenant.name}: the plan's app "${spec.name}" does not exist on ${qrs.target} (the QRS app table has no app of that name): fix the name in the plan's apps[] or publish the app.`,
      );
    }
    return app;
  });
}

export async function ensurePolicy(ctx: PhaseContext, deps: ResolvedDeps): Promise<EnsurePolicyResult> {
  return runPhase(deps, 'policy', ctx.tenant.name, async (log) => {
    const qrs = await qrsClient(ctx.source);
    const apps = await resolvePlanApps(qrs, ctx);
    const policy = await ensurePolicyRule(qrs, ctx.policy, deps, log);
    const { definition, change: choiceValue } = await ensureChoiceValue(qrs, ctx.policy.customProperty, ctx.tenant.name, deps);
    // allSettled: the attempt ends only when no write of it is still in flight.
    const settled = await Promise.allSettled(apps.map((app) => ensureAppValue(qrs, app, definition.name, ctx.tenant.name, deps)));
    const values = settled.map((outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    });
    return { policyId: policy.id, policy: policy.change, choiceValue, apps: apps.map((app, i) => ({ name: app.name, appId: app.id, value: values[i] })) };
  });
}
