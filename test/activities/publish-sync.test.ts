/** Phases 5 and 6 (firstPublish, syncAfterReload) and the reload watcher, against the real simulator. */
import { FailureTypes, type FirstPublishResult, type PhaseContext } from '../../src/activities/types';
import { DEFAULT_DISTRIBUTION } from '../../src/plan/types';
import { moveAppToSpace } from '../../src/qlik/cloud/apps';
import { cloudClient } from '../../src/qlik/cloud/client';
import { deleteIdentityProvider } from '../../src/qlik/cloud/identity-providers';
import { ensureManagedSpace } from '../../src/activities/cloud-copies';
import type { Simulator } from '../../src/simulator/api';
import { activities, activityEnvironment, phaseContext, runActivity, startTestSimulator, stopAll } from './sim-context';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 4, tenantsWithoutManagedSpaces: ['tenant-004'] });
});
afterAll(() => stopAll(sim));

/** Phases 3, 4 and 1 in Qlik's documented order: the value on the app (phase 1) starts the first distribution. */
async function setUpTenant(ctx: PhaseContext): Promise<void> {
  await runActivity(activities.ensureDeployment, ctx);
  await runActivity(activities.ensureIdp, ctx);
  await runActivity(activities.ensurePolicy, ctx);
}

const tenantState = (name: string) => sim.dump().tenants[name];

test('first publish: waits for the staged apps, makes the managed space, moves them in; then changes nothing', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  await setUpTenant(ctx);
  const first = await runActivity(activities.firstPublish, ctx);
  expect(first.space).toBe('created');
  expect(first.apps.map((app) => [app.name, app.assignment, app.spaceId])).toEqual([
    ['Sales Analytics', 'updated', first.spaceId],
    ['Operations Overview', 'updated', first.spaceId],
  ]);
  const state = tenantState(ctx.tenant.name);
  expect(state.spaces.filter((space) => space.type === 'managed')).toEqual([{ id: first.spaceId, name: ctx.tenant.managedSpace, type: 'managed' }]);
  expect(state.apps.map((app) => app.spaceId)).toEqual([first.spaceId, first.spaceId]);

  const before = JSON.stringify(tenantState(ctx.tenant.name));
  const second = await runActivity(activities.firstPublish, ctx);
  expect(second).toEqual({ ...first, space: 'unchanged', apps: first.apps.map((app) => ({ ...app, assignment: 'unchanged' })) });
  expect(JSON.stringify(tenantState(ctx.tenant.name))).toBe(before);
});

test('first publish interrupted after one app was moved completes the other, without duplicates', async () => {
  const ctx = phaseContext(sim, sim.tenants[1]);
  await setUpTenant(ctx);
  // Partial run: the space exists and the first staged app was moved, then the worker died.
  const cloud = cloudClient(ctx.tenant);
  const { space } = await ensureManagedSpace(cloud, ctx.tenant.name, ctx.tenant.managedSpace);
  let staged = tenantState(ctx.tenant.name).apps;
  for (let i = 0; staged.length < 2 && i < 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    staged = tenantState(ctx.tenant.name).apps;
  }
  await moveAppToSpace(cloud, staged.find((app) => app.name === 'Sales Analytics')!.id, space.id);
  const rerun = await runActivity(activities.firstPublish, ctx);
  expect(rerun.space).toBe('unchanged');
  expect(Object.fromEntries(rerun.apps.map((app) => [app.name, app.assignment]))).toEqual({ 'Sales Analytics': 'unchanged', 'Operations Overview': 'updated' });
  const state = tenantState(ctx.tenant.name);
  expect(state.apps).toHaveLength(2);
  expect(state.spaces.filter((s) => s.name === ctx.tenant.managedSpace)).toHaveLength(1);
});

test('a tenant without managed spaces fails non-retryably with a clear message', async () => {
  const ctx = phaseContext(sim, sim.tenants[3]);
  expect(ctx.tenant.name).toBe('tenant-004');
  await setUpTenant(ctx);
  await expect(runActivity(activities.firstPublish, ctx)).rejects.toMatchObject({
    type: FailureTypes.Config,
    nonRetryable: true,
    message: expect.stringContaining('edition has no managed spaces'),
  });
});

test('sync after reload: waits for the reload to arrive; repairs a copy moved out of its space', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  const reload = await sim.reloadApp('Sales Analytics');
  const synced = await runActivity(activities.syncAfterReload, { ctx, appName: 'Sales Analytics', reloadTime: reload.lastReloadTime });
  expect(synced.repairs).toEqual([]);
  expect(Date.parse(synced.lastReloadTime)).toBeGreaterThanOrEqual(Date.parse(reload.lastReloadTime));

  // Someone takes the app out of the managed space in the Management Console.
  const cloud = cloudClient(ctx.tenant);
  await cloud.call({ method: 'DELETE', route: '/api/v1/apps/{appId}/space', params: { appId: synced.cloudAppId } });
  const second = await sim.reloadApp('Sales Analytics');
  const repaired = await runActivity(activities.syncAfterReload, { ctx, appName: 'Sales Analytics', reloadTime: second.lastReloadTime });
  expect(repaired.repairs).toEqual([expect.stringMatching(/^moved .* back into managed space/)]);
  const copies = tenantState(ctx.tenant.name).apps.filter((app) => app.name === 'Sales Analytics');
  expect(copies).toHaveLength(1);
  expect(copies[0].spaceId).not.toBeNull();
});

test('sync after reload: a distribution that failed because the IdP is gone: the IdP is re-made, the app re-sent, and it arrives', async () => {
  const ctx = phaseContext(sim, sim.tenants[0], { distribution: { ...DEFAULT_DISTRIBUTION, resendAfterMs: 300 } });
  const cloud = cloudClient(ctx.tenant);
  const idp = await runActivity(activities.ensureIdp, ctx);
  await deleteIdentityProvider(cloud, idp.idpId);
  const reload = await sim.reloadApp('Operations Overview');
  const synced = await runActivity(activities.syncAfterReload, { ctx, appName: 'Operations Overview', reloadTime: reload.lastReloadTime });
  expect(synced.repairs).toEqual([expect.stringContaining('re-created the multi-cloud IdP')]);
  // The IdP alone starts nothing (assumption A9); the tool's re-send (an app change on QSEoW) does.
  expect(sim.requestLog().some((entry) => entry.method === 'PUT' && entry.path.startsWith('/qrs/app/'))).toBe(true);
  expect(Date.parse(synced.lastReloadTime)).toBeGreaterThanOrEqual(Date.parse(reload.lastReloadTime));
  expect(sim.dump().site.distributions.some((d) => d.deployment === ctx.tenant.name && d.status === 'failed')).toBe(true);
});

test('watchReloads: [] after maxWaitMs without reloads; the reloaded app as soon as one happens', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  const apps = sim.dump().site.apps;
  const since = Object.fromEntries(ctx.apps.map((spec) => [spec.name, apps.find((app) => app.name === spec.name)!.lastReloadTime]));
  const quiet = await runActivity(activities.watchReloads, { source: ctx.source, apps: ctx.apps, since, pollIntervalMs: 50, maxWaitMs: 300 });
  expect(quiet).toEqual([]);

  const watching = runActivity(activities.watchReloads, { source: ctx.source, apps: ctx.apps, since, pollIntervalMs: 50, maxWaitMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 120));
  const reload = await sim.reloadApp('Operations Overview');
  expect(await watching).toEqual([{ appName: 'Operations Overview', appId: reload.appId, lastReloadTime: reload.lastReloadTime }]);
});

test('first publish heartbeats the copies it found and a retry resumes from them without searching again', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  const heartbeats: unknown[] = [];
  const env = activityEnvironment();
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  const first: FirstPublishResult = await env.run(activities.firstPublish, ctx);
  const found = Object.fromEntries(first.apps.map((app) => [app.sourceAppId, app.cloudAppId]));
  // The phase's progress rides inside the heartbeat envelope that also carries its retry budget.
  expect(heartbeats.at(-1)).toMatchObject({ progress: { found, resend: {} } });

  sim.clearRequestLog();
  const resumed = activityEnvironment({ attempt: 2, heartbeatDetails: heartbeats.at(-1) });
  const second: FirstPublishResult = await resumed.run(activities.firstPublish, ctx);
  expect(second.apps.map((app) => app.cloudAppId)).toEqual(first.apps.map((app) => app.cloudAppId));
  expect(sim.requestLog().filter((entry) => entry.path === '/api/v1/items')).toEqual([]);
});
