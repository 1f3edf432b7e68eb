/**
 * Phases 5 and 6 on the documented contract: copies found by Qlik's markers and name, never the wrong one moved
 * or deleted, every app on its own, and a distribution that failed re-sent until it arrives.
 */
import { FailureTypes, type PhaseContext } from '../../src/activities/types';
import { DEFAULT_DISTRIBUTION } from '../../src/plan/types';
import type { Simulator, SimulatorOptions } from '../../src/simulator/api';
import { activities, logged, phaseContext, runActivity, startTestSimulator, stopAll } from './sim-context';

const FAST_RESEND = { ...DEFAULT_DISTRIBUTION, resendAfterMs: 300 };

async function withSim(options: Partial<SimulatorOptions>, body: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startTestSimulator({ tenants: 2, ...options });
  try {
    await body(sim);
  } finally {
    await stopAll(sim);
  }
}

async function setUp(ctx: PhaseContext): Promise<void> {
  await runActivity(activities.ensureDeployment, ctx);
  await runActivity(activities.ensureIdp, ctx);
  await runActivity(activities.ensurePolicy, ctx);
}

const appsOf = (sim: Simulator, tenant: string) => sim.dump().tenants[tenant].apps;

test('a staged app of the same name from elsewhere is never taken for the copy: made before this deployment\'s IdP, it is left alone', () =>
  withSim({}, async (sim) => {
    const tenant = sim.tenants[0];
    // Another site (or an earlier setup) distributed an app of the same name to this tenant.
    const stray = sim.plantCloudApp(tenant.name, { name: 'Sales Analytics', distributed: true });
    const ctx = phaseContext(sim, tenant, { apps: [{ name: 'Sales Analytics', stream: 'Customers' }] });
    await setUp(ctx);
    const published = await runActivity(activities.firstPublish, ctx);
    expect(published.apps[0].cloudAppId).not.toBe(stray);
    expect(published.apps[0].duplicates).toEqual([stray]);
    expect(appsOf(sim, tenant.name).find((app) => app.id === stray)?.spaceId).toBeNull();
    expect(logged(sim, 'PUT', `/api/v1/apps/${stray}`)).toEqual([]);
  }));

test('two staged distributed apps of the same name that both could be the copy: phase 5 stops, names both, and moves neither', () =>
  withSim({}, async (sim) => {
    const tenant = sim.tenants[0];
    const ctx = phaseContext(sim, tenant, { apps: [{ name: 'Sales Analytics', stream: 'Customers' }] });
    await runActivity(activities.ensureDeployment, ctx);
    await runActivity(activities.ensureIdp, ctx);
    // A second staged app of that name arrives after this deployment's IdP exists (another site, same tenant).
    await new Promise((resolve) => setTimeout(resolve, 5));
    const stray = sim.plantCloudApp(tenant.name, { name: 'Sales Analytics', distributed: true });
    await runActivity(activities.ensurePolicy, ctx);
    await waitUntil(() => appsOf(sim, tenant.name).filter((app) => app.name === 'Sales Analytics').length === 2 || undefined);
    const failure = await runActivity(activities.firstPublish, ctx).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: FailureTypes.Config, nonRetryable: true });
    const message = (failure as Error).message;
    expect(message).toContain(stray);
    expect(message).toMatch(/2 distributed apps are named "Sales Analytics"/);
    expect(message).toContain('assumption A5');
    expect(appsOf(sim, tenant.name).every((app) => app.spaceId === null)).toBe(true);
    expect(logged(sim, 'PUT', '/api/v1/apps/')).toEqual([]);
  }));

test('apps of the same name that are not distributed copies are ignored; a duplicate after placement is reported, never deleted', () =>
  withSim({}, async (sim) => {
    const tenant = sim.tenants[0];
    sim.plantCloudApp(tenant.name, { name: 'Sales Analytics', distributed: false, originAppId: '11111111-2222-3333-4444-555555555555' });
    const ctx = phaseContext(sim, tenant, { apps: [{ name: 'Sales Analytics', stream: 'Customers' }], distribution: FAST_RESEND });
    await setUp(ctx);
    const published = await runActivity(activities.firstPublish, ctx);
    expect(published.apps[0].assignment).toBe('updated');

    // Later a staged app of the same name shows up (e.g. from another site): the sync keeps the placed copy.
    const stray = sim.plantCloudApp(tenant.name, { name: 'Sales Analytics', distributed: true });
    const reload = await sim.reloadApp('Sales Analytics');
    const synced = await runActivity(activities.syncAfterReload, { ctx, appName: 'Sales Analytics', reloadTime: reload.lastReloadTime, cloudAppId: published.apps[0].cloudAppId });
    expect(synced.cloudAppId).toBe(published.apps[0].cloudAppId);
    expect(appsOf(sim, tenant.name).map((app) => app.id)).toContain(stray);

    // Reported, never deleted: nothing proves this distribution made it.
    expect(synced.duplicates).toEqual([stray]);
    expect(logged(sim, 'DELETE', '/api/v1/apps/')).toEqual([]);
  }));

test('one app stuck does not hold back the other: it is placed at once, the stuck one is re-sent and follows', () =>
  withSim({}, async (sim) => {
    const tenant = sim.tenants[0];
    const ctx = phaseContext(sim, tenant, { distribution: FAST_RESEND });
    // Every delivery of Operations Overview to this tenant fails until the rule is lifted.
    sim.setFaults([{ host: tenant.name, route: 'DISTRIBUTE Operations Overview', errorRate: 1 }]);
    await setUp(ctx);
    const publishing = runActivity(activities.firstPublish, ctx);
    const sales = await waitUntil(() => appsOf(sim, tenant.name).find((app) => app.name === 'Sales Analytics' && app.spaceId !== null));
    expect(appsOf(sim, tenant.name).find((app) => app.name === 'Operations Overview')).toBeUndefined();
    expect(sales.spaceId).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 700));
    sim.setFaults([]);
    const published = await publishing;
    expect(published.apps.map((app) => app.name)).toEqual(['Sales Analytics', 'Operations Overview']);
    expect(appsOf(sim, tenant.name).every((app) => app.spaceId === published.spaceId)).toBe(true);
    // Re-sent by changing the app on QSEoW (assumption A10), not by touching the IdP.
    expect(logged(sim, 'PUT', '/qrs/app/').length).toBeGreaterThan(0);
    expect(logged(sim, 'DELETE', '/api/v1/identity-providers')).toEqual([]);
  }));

test('a redistribution that failed after a reload is re-sent and converges once the fault clears', () =>
  withSim({}, async (sim) => {
    const tenant = sim.tenants[0];
    const ctx = phaseContext(sim, tenant, { apps: [{ name: 'Sales Analytics', stream: 'Customers' }], distribution: FAST_RESEND });
    await setUp(ctx);
    const published = await runActivity(activities.firstPublish, ctx);
    sim.setFaults([{ host: tenant.name, route: 'DISTRIBUTE', errorRate: 1 }]);
    const reload = await sim.reloadApp('Sales Analytics');
    const syncing = runActivity(activities.syncAfterReload, { ctx, appName: 'Sales Analytics', reloadTime: reload.lastReloadTime, cloudAppId: published.apps[0].cloudAppId });
    await waitUntil(() => sim.dump().site.distributions.find((d) => d.deployment === tenant.name && d.status === 'failed'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    sim.setFaults([]);
    const synced = await syncing;
    expect(Date.parse(synced.lastReloadTime)).toBeGreaterThanOrEqual(Date.parse(reload.lastReloadTime));
    expect(synced.cloudAppId).toBe(published.apps[0].cloudAppId);
    expect(appsOf(sim, tenant.name)).toHaveLength(1);
  }));

test('touch-triggers=no: re-sends escalate to the app\'s reload task when the plan allows it', () =>
  withSim({ variants: { 'touch-triggers': 'no' } }, async (sim) => {
    const tenant = sim.tenants[0];
    const ctx = phaseContext(sim, tenant, { apps: [{ name: 'Sales Analytics', stream: 'Customers' }], distribution: { ...FAST_RESEND, resendWithReloadTask: true } });
    // The first delivery fails; on this site an app change does not re-send, a reload does.
    sim.setFaults([{ host: tenant.name, route: 'DISTRIBUTE', errorRate: 1 }]);
    await setUp(ctx);
    await waitUntil(() => sim.dump().site.distributions.find((d) => d.status === 'failed'));
    sim.setFaults([]);
    const published = await runActivity(activities.firstPublish, ctx);
    expect(published.apps).toHaveLength(1);
    expect(logged(sim, 'PUT', '/qrs/app/').length).toBe(1);
    expect(logged(sim, 'POST', '/qrs/task/')).toHaveLength(1);
  }));

test('touch-triggers=no without the reload-task option: the wait ends with a message naming assumption A10', () =>
  withSim({ variants: { 'touch-triggers': 'no' } }, async (sim) => {
    const tenant = sim.tenants[0];
    const ctx = phaseContext(sim, tenant, { apps: [{ name: 'Sales Analytics', stream: 'Customers' }], distribution: FAST_RESEND });
    sim.setFaults([{ host: tenant.name, route: 'DISTRIBUTE', errorRate: 1 }]);
    await setUp(ctx);
    await waitUntil(() => sim.dump().site.distributions.find((d) => d.status === 'failed'));
    sim.setFaults([]);
    const { createActivities } = await import('../../src/activities');
    const { TEST_DEPS } = await import('./sim-context');
    const shortWait = createActivities({ ...TEST_DEPS, arrivalTimeoutMs: 1_200 });
    const failure = (await runActivity(shortWait.firstPublish, ctx).catch((err: unknown) => err)) as Error;
    expect(failure.message).toContain('not distributed yet');
    expect(failure.message).toContain('assumption A10');
    expect(failure.message).toContain('resendWithReloadTask');
  }));

async function waitUntil<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
