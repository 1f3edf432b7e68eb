/** Phase 2 (verifyApp) against the real simulator. */
import { FailureTypes } from '../../src/activities/types';
import type { Simulator } from '../../src/simulator/api';
import { activities, phaseContext, runActivity, startTestSimulator, stopAll } from './sim-context';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => stopAll(sim));

test('apps that meet the policy verify, with their size and last reload; verifying writes nothing', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  await runActivity(activities.ensurePolicy, ctx);
  const before = JSON.stringify(sim.dump());
  const result = await runActivity(activities.verifyApp, ctx);
  expect(result.apps.map((app) => [app.name, app.stream])).toEqual([['Sales Analytics', 'Customers'], ['Operations Overview', 'Customers']]);
  for (const app of result.apps) {
    expect(app.fileSize).toBeGreaterThan(0);
    expect(Date.parse(app.lastReloadTime)).toBeGreaterThan(Date.parse('2000-01-01'));
  }
  expect(JSON.stringify(sim.dump())).toBe(before);
});

test('an app without the tenant value fails verification, saying how to fix it', async () => {
  const ctx = phaseContext(sim, sim.tenants[1]);
  await expect(runActivity(activities.verifyApp, ctx)).rejects.toMatchObject({
    type: FailureTypes.Verification,
    nonRetryable: true,
    message: expect.stringContaining(`does not carry custom property Deployments = "${ctx.tenant.name}"`),
  });
});

test.each([
  ['Draft Budget', /is not published: publish it to stream "Customers"/],
  ['Failed Finance', /failed its last reload: fix the load script/],
  ['Huge Warehouse', /is a 6\.0 GB file, over the 5\.0 GB limit/],
])('%s fails verification: %s', async (name, expected) => {
  const ctx = phaseContext(sim, sim.tenants[2], { apps: [{ name, stream: 'Customers' }] });
  // Carry the value where the app can take it, so the failure is about the one problem under test.
  await runActivity(activities.ensurePolicy, ctx).catch(() => undefined);
  const failure = (await runActivity(activities.verifyApp, ctx).catch((err: unknown) => err)) as Error;
  expect(failure).toMatchObject({ type: FailureTypes.Verification, nonRetryable: true });
  expect(failure.message).toMatch(expected);
  expect(failure.message).toContain(`Tenant ${ctx.tenant.name}`);
});

test('an unknown app is a config error naming it', async () => {
  const ctx = phaseContext(sim, sim.tenants[0], { apps: [{ name: 'Sales Analytix', stream: 'Customers' }] });
  await expect(runActivity(activities.verifyApp, ctx)).rejects.toMatchObject({
    type: FailureTypes.Config,
    nonRetryable: true,
    message: expect.stringContaining('"Sales Analytix" does not exist'),
  });
});
