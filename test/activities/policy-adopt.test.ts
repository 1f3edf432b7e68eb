/**
 * Phase 1 against policies and properties it did not make (audit F2, F19) and both multi-edit keys (F7, A2), over
 * real sockets to the simulator.
 */
import { FailureTypes } from '../../src/activities/types';
import { POLICY_MARKER, policyConditions } from '../../src/activities/policy-rule';
import { qrsClient } from '../../src/qlik/qrs/client';
import { appCustomProperty } from '../../src/qlik/qrs/selections';
import { systemRules, type SystemRule } from '../../src/qlik/qrs/system-rules';
import type { Simulator } from '../../src/simulator/api';
import { activities, logged, phaseContext, runActivity, startTestSimulator, stopAll } from './sim-context';

let sim: Simulator;
afterEach(() => stopAll(sim));

const appValues = (s: Simulator, name: string) => s.dump().site.apps.find((app) => app.name === name)!.customProperties.Deployments ?? [];
/** The fields the QMC owns on a policy: phase 1 must never rewrite them. */
const qmcFields = (rule: SystemRule) => ({ category: rule.category, subcategory: rule.subcategory, type: rule.type, ruleContext: rule.ruleContext, comment: rule.comment });

test('a policy made in the QMC is adopted: category, type, context and comment are never rewritten, also when drift is repaired', async () => {
  sim = await startTestSimulator();
  // The plan's category is for creating only; the adopted policy keeps its own.
  const ctx = phaseContext(sim, sim.tenants[0]);
  ctx.policy = { ...ctx.policy, category: 'License' };
  const qrs = await qrsClient(ctx.source);
  const made = await systemRules.create(qrs, {
    name: ctx.policy.name, category: 'Security', subcategory: 'Cloud distribution', type: 'Custom', ruleContext: 2,
    resourceFilter: 'App_*', actions: 1024, disabled: false, comment: 'Made in the QMC by ops',
    // The tool's conditions, spelled the QMC's way.
    rule: '((resource.@Deployments=subject.name and resource.stream.name="Customers"))',
  });
  const asMade = await systemRules.get(qrs, made.id);

  const first = await runActivity(activities.ensurePolicy, ctx);
  expect(first).toMatchObject({ policyId: made.id, policy: 'unchanged', policyOrigin: 'adopted', policyRepaired: [] });
  expect(first.policyNotes).toEqual([expect.stringContaining('conditions differ from the plan\'s and are kept')]);
  expect(await systemRules.get(qrs, made.id)).toEqual(asMade);
  expect(appValues(sim, 'Sales Analytics')).toEqual([ctx.tenant.name]);

  // Someone disables it and narrows its conditions to nothing the tool's values can match.
  await systemRules.update(qrs, { ...asMade, disabled: true, rule: '((subject.name=""))' });
  const drifted = await systemRules.get(qrs, made.id);
  const refused = await runActivity(activities.ensurePolicy, ctx).catch((err: unknown) => err);
  expect(refused).toMatchObject({ type: FailureTypes.Config, nonRetryable: true });
  expect((refused as Error).message).toContain('lack resource.@Deployments = subject.name and resource.stream.name = "Customers"');
  expect((refused as Error).message).toContain('policy.manageConditions: true');
  expect(await systemRules.get(qrs, made.id)).toEqual(drifted); // nothing written

  // The plan lets the tool manage the conditions: only rule text and disabled change.
  const managed = phaseContext(sim, sim.tenants[0], { policy: { ...ctx.policy, manageConditions: true } });
  const repaired = await runActivity(activities.ensurePolicy, managed);
  expect(repaired).toMatchObject({ policyId: made.id, policy: 'updated', policyOrigin: 'adopted', policyRepaired: ['conditions', 'disabled'] });
  const after = await systemRules.get(qrs, made.id);
  expect(after).toMatchObject({ rule: policyConditions(ctx.policy), disabled: false, resourceFilter: 'App_*', actions: 1024 });
  expect(qmcFields(after)).toEqual({ category: 'Security', subcategory: 'Cloud distribution', type: 'Custom', ruleContext: 2, comment: 'Made in the QMC by ops' });
  expect(sim.dump().site.policies).toHaveLength(1);
});

test('names are compared exactly: a rule or property differing only in case is never taken or deleted; only own duplicates are', async () => {
  sim = await startTestSimulator();
  const ctx = phaseContext(sim, sim.tenants[0]);
  ctx.policy = { ...ctx.policy, category: 'License', subcategory: 'Distribution' };
  const qrs = await qrsClient(ctx.source);
  const qmcRule = (name: string, comment: string) =>
    systemRules.create(qrs, { name, category: 'Security', type: 'Custom', resourceFilter: 'App_*', actions: 1024, rule: policyConditions(ctx.policy), comment });
  const upper = await qmcRule(ctx.policy.name.toUpperCase(), 'made by hand');

  const first = await runActivity(activities.ensurePolicy, ctx);
  expect(first).toMatchObject({ policy: 'created', policyOrigin: 'created' });
  expect(first.policyId).not.toBe(upper.id);
  // Created in the plan's category and subcategory (A3), next to the untouched upper-case rule.
  expect(await systemRules.get(qrs, first.policyId)).toMatchObject({ name: ctx.policy.name, category: 'License', subcategory: 'Distribution' });
  expect(await systemRules.get(qrs, upper.id)).toMatchObject({ name: ctx.policy.name.toUpperCase(), comment: 'made by hand' });

  // Same exact name, not made by the tool: left alone and reported. Same exact name with the tool's marker (a
  // racer's leftover): deleted.
  const sameName = await qmcRule(ctx.policy.name, 'made by hand, same name');
  const leftover = await qmcRule(ctx.policy.name, `Distribution policy ${POLICY_MARKER}: leftover`);
  const second = await runActivity(activities.ensurePolicy, ctx);
  expect(second).toMatchObject({ policyId: first.policyId, policy: 'unchanged', policyOrigin: 'own' });
  expect(second.policyNotes).toEqual([expect.stringContaining(`(${sameName.id}) exists and was left alone`)]);
  expect(sim.dump().site.policies.map((p) => p.id).sort()).toEqual([upper.id, first.policyId, sameName.id].sort());
  expect(sim.dump().site.policies.map((p) => p.id)).not.toContain(leftover.id);

  // A custom property name differing only in case from an existing one: QRS refuses a second (409), the tool says why.
  const wrongCase = phaseContext(sim, sim.tenants[0], { policy: { ...ctx.policy, customProperty: 'DEPLOYMENTS' } });
  const failure = await runActivity(activities.ensurePolicy, wrongCase).catch((err: unknown) => err);
  expect(failure).toMatchObject({ type: FailureTypes.Config, nonRetryable: true });
  expect((failure as Error).message).toMatch(/custom property "DEPLOYMENTS" .*"Deployments" exists, a name differing only in case/);
  expect(sim.dump().site.customProperties.map((cp) => cp.name)).toContain('Deployments');
});

test.each(['name', 'id'])('multi-edit finds the synthetic key when the site names custom properties by %s (A2), once per site', async (key) => {
  sim = await startTestSimulator({ variants: { 'multiedit-key': key } });
  sim.clearRequestLog();
  await runActivity(activities.ensurePolicy, phaseContext(sim, sim.tenants[0]));
  await runActivity(activities.ensurePolicy, phaseContext(sim, sim.tenants[1]));
  for (const app of ['Sales Analytics', 'Operations Overview']) expect([...appValues(sim, app)].sort()).toEqual([sim.tenants[0].name, sim.tenants[1].name].sort());
  expect(logged(sim, 'PUT', '/qrs/selection', 204)).toHaveLength(4);
  // One synthetic read for the key, cached for every later tenant and app of this site.
  expect(logged(sim, 'GET', '/qrs/selection')).toHaveLength(1);
});

test('a site whose multi-edit object names the property neither way stops with assumption A2', async () => {
  sim = await startTestSimulator();
  const qrs = await qrsClient(phaseContext(sim, sim.tenants[0]).source);
  const appId = sim.dump().site.apps.find((app) => app.name === 'Sales Analytics')!.id;
  const failure = await appCustomProperty.add(qrs, [appId], { id: '00000000-0000-0000-0000-0000000000aa', name: 'NotOnApps' }, new Date().toISOString(), ['x']).catch((err: unknown) => err);
  expect(failure).toMatchObject({ type: FailureTypes.Config, nonRetryable: true });
  expect((failure as Error).message).toMatch(/neither "@NotOnApps" nor "@00000000-0000-0000-0000-0000000000aa" .*\[assumption A2: /);
  expect(logged(sim, 'PUT', '/qrs/selection')).toHaveLength(0);
});
