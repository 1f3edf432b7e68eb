/**
 * End to end on real parts: the real Temporal dev server, the real activities, the Qlik simulator over sockets.
 */
import type { Simulator } from '../../src/simulator/api';
import { rolloutWorkflow } from '../../src/workflows';
import {
  pauseUpdate,
  progressQuery,
  reloadWatcherStateQuery,
  reloadWatcherStopSignal,
  resumeUpdate,
  retryTenantUpdate,
  siteKeyOf,
  skipTenantUpdate,
  syncStateQuery,
  syncStopUpdate,
  workflowIds,
  type RolloutInput,
  type RolloutStatus,
} from '../../src/workflows/messages';
import type { TestTemporal } from '../helpers/temporal';
import { recordHistory, waitFor } from '../workflows/support';
import { closeSim, FAST, simPlan, startSim, useSimWorker } from './sim-rollout';

let t: TestTemporal;
let sim: Simulator | undefined;
let taskQueue: string;

useSimWorker((ready) => ({ t, taskQueue } = ready));
afterAll(() => closeSim(sim));
afterEach(async () => { await closeSim(sim); sim = undefined; });

const rid = (name: string) => `${name}-${Date.now().toString(36)}`;
const start = (input: RolloutInput) => t.client.workflow.start(rolloutWorkflow, { taskQueue, workflowId: workflowIds.rollout(input.rolloutId), args: [input] });

test('20 tenants in 3 waves: each distributed and published exactly once, continue-as-new loses none, reloads are synced', async () => {
  sim = await startSim({ tenants: 20 });
  const plan = simPlan(sim, [{ name: 'canary', size: 2, concurrency: 2 }, { name: 'early', size: 6, concurrency: 3 }, { name: 'rest', size: 12, concurrency: 4 }], { sync: { enabled: true, pollIntervalMs: 50 } });
  const rolloutId = rid('twenty');
  const handle = await start({ rolloutId, plan, options: { ...FAST, tenantsPerRun: 6 } });
  const started = Date.now();
  const result = await handle.result();
  process.stdout.write(`\n[figures] 20-tenant rollout: ${Date.now() - started} ms, ${result.run} runs\n`);
  expect(result.status).toBe('succeeded');
  expect(result.waves.map((w) => w.counts.succeeded)).toEqual([2, 6, 12]);
  expect(result.run).toBeGreaterThanOrEqual(4); // continued as new after every 6 tenant starts

  const dump = sim.dump();
  for (const tenant of plan.tenants) {
    expect(dump.site.deployments.filter((d) => d.name === tenant.name)).toHaveLength(1);
    const state = dump.tenants[tenant.name];
    const space = state.spaces.filter((s) => s.name === `${tenant.name} Analytics` && s.type === 'managed');
    expect(space).toHaveLength(1);
    for (const app of plan.apps) {
      const copies = state.apps.filter((a) => a.name === app.name);
      expect(copies).toHaveLength(1); // distributed once: one copy, in the managed space
      expect(copies[0].spaceId).toBe(space[0].id);
    }
    expect(state.idps.filter((i) => i.provider === 'qsefw-local-bearer-token' || i.protocol === 'qsefw-local-bearer-token')).toHaveLength(1);
  }

  // Starting the same rollout again (e.g. after an operator terminated it) re-runs idempotently: nothing doubles.
  const again = await t.client.workflow.execute(rolloutWorkflow, { taskQueue, workflowId: handle.workflowId, args: [{ rolloutId, plan: { ...plan, waves: plan.waves.slice(0, 1) }, options: FAST }] });
  expect(again.status).toBe('succeeded');
  const redump = sim.dump();
  for (const tenant of plan.waves[0].tenants) {
    expect(redump.site.deployments.filter((d) => d.name === tenant)).toHaveLength(1);
    for (const app of plan.apps) expect(redump.tenants[tenant].apps.filter((a) => a.name === app.name)).toHaveLength(1);
  }
  expect(redump.site.policies.filter((p) => p.name === plan.policy.name)).toHaveLength(1);

  // Phase 6: a reload on QSEoW reaches every tenant through the watcher and the per-tenant sync workflows.
  const reloadStarted = Date.now();
  const reloaded = await sim.reloadApp(plan.apps[0].name);
  const syncHandles = plan.tenants.map((tenant) => t.client.workflow.getHandle(workflowIds.sync(plan.source, tenant.name)));
  await waitFor(async () => Promise.all(syncHandles.map((h) => h.query(syncStateQuery))), (states) => states.every((s) => s.lastSynced[plan.apps[0].name] === reloaded.lastReloadTime), 60_000);
  process.stdout.write(`\n[figures] reload synced to 20 tenants in ${Date.now() - reloadStarted} ms\n`);
  for (const tenant of plan.tenants) {
    expect(sim.dump().tenants[tenant.name].apps.find((a) => a.name === plan.apps[0].name)?.lastReloadTime).toBe(reloaded.lastReloadTime);
  }
  const watcher = t.client.workflow.getHandle(workflowIds.reloadWatcher(siteKeyOf(plan.source)));
  expect((await watcher.query(reloadWatcherStateQuery)).subscribers).toBe(20);

  await recordHistory(syncHandles[0], 'sim-tenant-sync');
  await recordHistory(t.client.workflow.getHandle(workflowIds.tenant(rolloutId, plan.tenants[0].name)), 'sim-tenant-succeeded');
  await Promise.all(syncHandles.map((h) => h.executeUpdate(syncStopUpdate)));
  await watcher.signal(reloadWatcherStopSignal);
  await watcher.result();
});

test('a spent budget halts; retry and skip fix the failed tenants; pause holds new starts; resume finishes', async () => {
  sim = await startSim({ tenants: 6 });
  const [down, noSpaces] = sim.tenants.map((x) => x.name);
  await sim.stop();
  sim = await startSim({ tenants: 6, tenantsWithoutManagedSpaces: [noSpaces] });
  sim.setTenantDown({ tenant: down, forMs: 6_000 });
  const downUntil = Date.now() + 6_000;
  const plan = simPlan(sim, [{ name: 'canary', size: 2, concurrency: 2, failureBudget: 1 }, { name: 'rest', size: 4, concurrency: 1 }]);
  const handle = await start({ rolloutId: rid('budget'), plan, options: FAST });

  const halted = await waitFor(() => handle.query(progressQuery), (p) => p.status === 'halted', 60_000);
  expect(halted.reason).toMatch(/failure budget of wave "canary" spent: 2 failed > 1 allowed/);
  expect(halted.tenants.find((x) => x.tenant === noSpaces)?.reason).toMatch(new RegExp(noSpaces));
  expect(halted.waves[1].counts.pending).toBe(4);

  await expect(handle.executeUpdate(skipTenantUpdate, { args: [{ tenant: noSpaces, reason: 'edition has no managed spaces' }] })).resolves.toMatchObject({ status: 'skipped' });
  await new Promise((r) => setTimeout(r, Math.max(0, downUntil - Date.now())));
  await expect(handle.executeUpdate(retryTenantUpdate, { args: [{ tenant: down }] })).resolves.toMatchObject({ status: 'running' });
  await waitFor(() => handle.query(progressQuery), (p) => p.waves[0].counts.succeeded === 1, 60_000);
  expect(await handle.executeUpdate(resumeUpdate)).toBe('running');

  // Pause once the second wave has started: nothing new starts until resume.
  await waitFor(() => handle.query(progressQuery), (p) => p.waves[1].counts.succeeded >= 1, 60_000);
  expect(await handle.executeUpdate<RolloutStatus, [{ reason: string }]>(pauseUpdate.name, { args: [{ reason: 'hold' }] })).toBe('paused');
  const paused = await waitFor(() => handle.query(progressQuery), (p) => p.waves[1].counts.running === 0, 60_000);
  await new Promise((r) => setTimeout(r, 1_500));
  expect((await handle.query(progressQuery)).waves[1].counts).toEqual(paused.waves[1].counts);
  expect(paused.waves[1].counts.pending).toBeGreaterThan(0);
  expect(await handle.executeUpdate(resumeUpdate)).toBe('running');

  const result = await handle.result();
  expect(result.status).toBe('succeeded');
  expect(result.waves.map((w) => w.counts)).toEqual([
    expect.objectContaining({ succeeded: 1, skipped: 1, failed: 0 }),
    expect.objectContaining({ succeeded: 4, pending: 0 }),
  ]);
  const dump = sim.dump();
  expect(dump.tenants[down].apps.filter((a) => a.name === plan.apps[0].name)).toHaveLength(1);
  expect(dump.site.deployments.filter((d) => d.name === down)).toHaveLength(1);
  await recordHistory(handle, 'sim-rollout-halt-retry-skip-pause');
});
