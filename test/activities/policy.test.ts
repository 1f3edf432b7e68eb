/** Phase 1 (ensurePolicy) against the real simulator over sockets. */
import fs from 'node:fs';
import path from 'node:path';
import { FailureTypes } from '../../src/activities/types';
import type { Simulator } from '../../src/simulator/api';
import { createActivities } from '../../src/activities';
import { activities, TEST_DEPS, phaseContext, runActivity, startTestSimulator, stopAll } from './sim-context';

let sim: Simulator & { secretsDir?: string };
afterEach(() => stopAll(sim));

const policyOf = (s: Simulator) => s.dump().site.policies;
const deploymentsValues = (s: Simulator) => s.dump().site.customProperties.find((cp) => cp.name === 'Deployments')!.choiceValues;
const appValues = (s: Simulator, name: string) => s.dump().site.apps.find((app) => app.name === name)!.customProperties.Deployments ?? [];

test('first run creates, second run changes nothing, a drifted policy is restored', async () => {
  sim = await startTestSimulator();
  const ctx = phaseContext(sim, sim.tenants[0]);
  const first = await runActivity(activities.ensurePolicy, ctx);
  expect(first).toMatchObject({ policy: 'created', policyOrigin: 'created', policyRepaired: [], choiceValue: 'updated' });
  expect(first.apps.map((app) => app.value)).toEqual(['updated', 'updated']);
  expect(policyOf(sim)).toEqual([
    expect.objectContaining({ name: ctx.policy.name, resourceFilter: 'App_*', actions: 1024, disabled: false, rule: '((resource.@Deployments = subject.name and resource.stream.name = "Customers"))' }),
  ]);
  expect(deploymentsValues(sim)).toContain(ctx.tenant.name);
  expect(appValues(sim, 'Sales Analytics')).toEqual([ctx.tenant.name]);

  const before = JSON.stringify(sim.dump().site);
  const second = await runActivity(activities.ensurePolicy, ctx);
  expect(second).toEqual({
    policyId: first.policyId, policy: 'unchanged', policyOrigin: 'own', policyRepaired: [], policyNotes: [], choiceValue: 'unchanged',
    apps: first.apps.map((app) => ({ ...app, value: 'unchanged' })),
  });
  expect(JSON.stringify(sim.dump().site)).toBe(before);

  // Someone disables the policy and edits its conditions in the QMC.
  const { qrsClient } = await import('../../src/qlik/qrs/client');
  const { systemRules } = await import('../../src/qlik/qrs/system-rules');
  const qrs = await qrsClient(ctx.source);
  const rule = await systemRules.get(qrs, first.policyId);
  // Assumption A3: created in the plan's category (default Security), never Sync (load balancing).
  expect(rule).toMatchObject({ category: 'Security', type: 'Custom', ruleContext: 0 });
  await systemRules.update(qrs, { ...rule, disabled: true, rule: '((subject.name=""))' });
  const third = await runActivity(activities.ensurePolicy, ctx);
  expect(third).toMatchObject({ policy: 'updated', policyOrigin: 'own', policyRepaired: ['conditions', 'disabled'] });
  expect(policyOf(sim)).toEqual([expect.objectContaining({ disabled: false, rule: expect.stringContaining('resource.@Deployments = subject.name') })]);
});

test('a run interrupted after its first writes completes on re-run without duplicates', async () => {
  sim = await startTestSimulator();
  const ctx = phaseContext(sim, sim.tenants[1]);
  // Every app update (a synthetic multi-edit) fails: the policy and the choice value are written, the app values are not.
  sim.setFaults([{ host: 'qrs', route: 'PUT /qrs/selection', errorRate: 1 }]);
  await expect(runActivity(activities.ensurePolicy, ctx)).rejects.toMatchObject({ type: FailureTypes.Transient, nonRetryable: false });
  expect(policyOf(sim)).toHaveLength(1);
  expect(appValues(sim, 'Sales Analytics')).toEqual([]);
  sim.setFaults([]);
  const rerun = await runActivity(activities.ensurePolicy, ctx);
  expect(rerun).toMatchObject({ policy: 'unchanged', choiceValue: 'unchanged' });
  expect(rerun.apps.map((app) => app.value)).toEqual(['updated', 'updated']);
  expect(policyOf(sim)).toHaveLength(1);
  expect(deploymentsValues(sim).filter((value) => value === ctx.tenant.name)).toHaveLength(1);
  expect(appValues(sim, 'Sales Analytics')).toEqual([ctx.tenant.name]);
});

test('50 tenants at once: no choice value and no app value is lost despite 409s', async () => {
  sim = await startTestSimulator({ tenants: 50 });
  sim.clearRequestLog();
  const results = await Promise.all(sim.tenants.map((tenant) => runActivity(activities.ensurePolicy, phaseContext(sim, tenant))));
  const names = sim.tenants.map((tenant) => tenant.name).sort();
  expect(results.filter((result) => result.policy === 'created')).toHaveLength(1);
  expect(policyOf(sim)).toHaveLength(1);
  expect([...deploymentsValues(sim)].sort()).toEqual(names);
  expect([...appValues(sim, 'Sales Analytics')].sort()).toEqual(names);
  expect([...appValues(sim, 'Operations Overview')].sort()).toEqual(names);
  const conflicts = sim.requestLog().filter((entry) => entry.method === 'PUT' && entry.status === 409);
  expect(conflicts.length).toBeGreaterThan(0);
  // Figures for the report.
  process.stdout.write(`50 concurrent ensurePolicy: ${conflicts.length} 409s re-read and re-applied, ${sim.requestLog().length} QRS calls\n`);
}, 120_000);

test('50 tenants at once on one worker: group commit shares reads and writes, and loses nothing', async () => {
  sim = await startTestSimulator({ tenants: 50 });
  sim.clearRequestLog();
  const coalescing = createActivities({ ...TEST_DEPS, coalesceWrites: true });
  await Promise.all(sim.tenants.map((tenant) => runActivity(coalescing.ensurePolicy, phaseContext(sim, tenant))));
  const names = sim.tenants.map((tenant) => tenant.name).sort();
  expect([...deploymentsValues(sim)].sort()).toEqual(names);
  expect([...appValues(sim, 'Sales Analytics')].sort()).toEqual(names);
  expect([...appValues(sim, 'Operations Overview')].sort()).toEqual(names);
  const puts = sim.requestLog().filter((entry) => entry.method === 'PUT' && /\/qrs\/(selection|custompropertydefinition)\//.test(entry.path));
  // Without group commit every tenant writes each of the 3 shared objects at least once (150+ PUTs, plus 409s).
  expect(puts.length).toBeLessThan(3 * 50);
  expect(puts.filter((entry) => entry.status === 409)).toHaveLength(0);
  process.stdout.write(`50 concurrent ensurePolicy with group commit: ${puts.length} PUTs to shared objects, ${sim.requestLog().length} QRS calls\n`);
}, 120_000);

test('an unknown app and wrong QRS credentials fail at once, non-retryably, with a readable message', async () => {
  sim = await startTestSimulator();
  const ctx = phaseContext(sim, sim.tenants[0], { apps: [{ name: 'No Such App', stream: 'Customers' }] });
  await expect(runActivity(activities.ensurePolicy, ctx)).rejects.toMatchObject({
    type: FailureTypes.Config,
    nonRetryable: true,
    message: expect.stringContaining('"No Such App" does not exist'),
  });

  const badToken = path.join(sim.secretsDir!, 'wrong.jwt');
  fs.writeFileSync(badToken, 'not-a-valid-jwt');
  const badCtx = phaseContext(sim, sim.tenants[0]);
  badCtx.source = { ...badCtx.source, auth: { type: 'jwt', token: `file:${badToken}` } };
  sim.clearRequestLog();
  const failure = await runActivity(activities.ensurePolicy, badCtx).catch((err: unknown) => err);
  expect(failure).toMatchObject({ type: FailureTypes.Config, nonRetryable: true });
  expect((failure as Error).message).toMatch(/QSEoW site .* answered 401: .*file:.*wrong\.jwt/);
  expect((failure as Error).message).not.toContain('not-a-valid-jwt');
  // One call (the app table read), not retried: nothing else was tried with the wrong token.
  expect(sim.requestLog().filter((entry) => entry.path.includes('/qrs'))).toEqual([expect.objectContaining({ method: 'POST', status: 401 })]);
});
