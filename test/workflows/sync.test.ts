import { createWorker } from '../../src/worker/worker';
import { tenantWorkflow } from '../../src/workflows';
import {
  reloadWatcherStateQuery,
  reloadWatcherStopSignal,
  siteKeyOf,
  syncPauseUpdate,
  syncResumeUpdate,
  syncStateQuery,
  syncStopUpdate,
  workflowIds,
  type TenantWorkflowInput,
} from '../../src/workflows/messages';
import type { ReloadObservation, SyncAfterReloadInput } from '../../src/activities/types';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { heartbeatingSleep, makePlan, recordHistory, recordingActivities, waitFor } from './support';

let t: TestTemporal;
beforeAll(async () => { t = await connectTestTemporal(); });
afterAll(async () => { await t.close(); });

test('after first publish the tenant starts its sync; a reload seen by the watcher is synced; pause and stop work', async () => {
  const unique = Date.now().toString(36);
  const tenants = [`synca-${unique}`, `syncb-${unique}`];
  const reloads: ReloadObservation[] = [];
  const rec = recordingActivities();
  const activities = {
    ...rec.activities,
    // The watcher's poll: hands out the reloads the test queued, else waits like the real one does.
    watchReloads: async () => {
      await heartbeatingSleep(100);
      return reloads.splice(0);
    },
  };
  const plan = makePlan([{ name: 'all', size: 1 }], { sync: { enabled: true, pollIntervalMs: 50 } });
  plan.source = { ...plan.source, qrsUrl: `http://qrs-${unique}.example/jwt` };
  const taskQueue = uniqueTaskQueue('sync');
  const worker = await createWorker({ connection: t.nativeConnection, namespace: t.state.namespace, taskQueue, activities, workflowBundle: { codePath: t.state.bundlePath } });
  await worker.runUntil(async () => {
    for (const tenant of tenants) {
      const input: TenantWorkflowInput = { rolloutId: unique, wave: 'all', plan, tenant: { name: tenant, url: 'http://x' } };
      const result = await t.client.workflow.execute(tenantWorkflow, { taskQueue, workflowId: workflowIds.tenant(unique, tenant), args: [input] });
      expect(result).toMatchObject({ status: 'succeeded', phase: 'sync' });
    }
    const syncA = t.client.workflow.getHandle(workflowIds.sync(plan.source, tenants[0]));
    const syncB = t.client.workflow.getHandle(workflowIds.sync(plan.source, tenants[1]));
    const watcher = t.client.workflow.getHandle(workflowIds.reloadWatcher(siteKeyOf(plan.source)));
    await waitFor(() => watcher.query(reloadWatcherStateQuery), (s) => s.subscribers === 2);
    expect((await syncA.query(syncStateQuery)).lastSynced).toEqual({ Sales: '2024-01-01T00:00:00.000Z' });

    // Tenant B's sync is paused: it keeps the reload queued until resumed.
    await syncB.executeUpdate(syncPauseUpdate);
    reloads.push({ appName: 'Sales', appId: 'a', lastReloadTime: '2024-02-01T00:00:00.000Z' });
    const a = await waitFor(() => syncA.query(syncStateQuery), (s) => s.syncs === 1);
    expect(a).toMatchObject({ status: 'watching', lastSynced: { Sales: '2024-02-01T00:00:00.000Z' }, repairs: 0 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await syncB.query(syncStateQuery)).toMatchObject({ status: 'paused', syncs: 0 });
    await syncB.executeUpdate(syncResumeUpdate);
    await waitFor(() => syncB.query(syncStateQuery), (s) => s.syncs === 1 && s.lastSynced.Sales === '2024-02-01T00:00:00.000Z');
    expect(rec.count('syncAfterReload')).toBe(2);

    // A stale (older) reload is ignored; stop ends the sync workflow and unregisters it.
    reloads.push({ appName: 'Sales', appId: 'a', lastReloadTime: '2024-01-15T00:00:00.000Z' });
    await waitFor(() => watcher.query(reloadWatcherStateQuery), (s) => s.since.Sales === '2024-01-15T00:00:00.000Z');
    await syncA.executeUpdate(syncStopUpdate);
    await expect(syncA.result()).resolves.toMatchObject({ status: 'stopped', syncs: 1 });
    await waitFor(() => watcher.query(reloadWatcherStateQuery), (s) => s.subscribers === 1);
    expect(rec.count('syncAfterReload')).toBe(2);

    await syncB.executeUpdate(syncStopUpdate);
    await watcher.signal(reloadWatcherStopSignal);
    await watcher.result();
    await recordHistory(syncA, 'tenant-sync-stopped');
    await recordHistory(syncB, 'tenant-sync-paused-resumed');
    await recordHistory(watcher, 'reload-watcher');
  });
});

test('each app syncs on its own: an app whose copy does not come never holds back another app of the tenant', async () => {
  const unique = Date.now().toString(36);
  const tenant = `syncapps-${unique}`;
  const reloads: ReloadObservation[] = [];
  let releaseSales!: () => void;
  const salesStuck = new Promise<void>((resolve) => { releaseSales = resolve; });
  const rec = recordingActivities();
  const seen: Array<{ app: string; cloudAppId?: string }> = [];
  const activities = {
    ...rec.activities,
    watchReloads: async () => {
      await heartbeatingSleep(100);
      return reloads.splice(0);
    },
    syncAfterReload: async (input: SyncAfterReloadInput) => {
      seen.push({ app: input.appName, cloudAppId: input.cloudAppId });
      if (input.appName === 'Sales') await salesStuck;
      return rec.activities.syncAfterReload(input);
    },
  };
  const plan = makePlan([{ name: 'all', size: 1 }], { sync: { enabled: true, pollIntervalMs: 50 } });
  plan.apps = [{ name: 'Sales', stream: 'Customers' }, { name: 'Ops', stream: 'Customers' }];
  plan.source = { ...plan.source, qrsUrl: `http://qrs-apps-${unique}.example/jwt` };
  const taskQueue = uniqueTaskQueue('sync-apps');
  const worker = await createWorker({ connection: t.nativeConnection, namespace: t.state.namespace, taskQueue, activities, workflowBundle: { codePath: t.state.bundlePath } });
  await worker.runUntil(async () => {
    const input: TenantWorkflowInput = { rolloutId: unique, wave: 'all', plan, tenant: { name: tenant, url: 'http://x' }, setupOrder: 'documented' };
    await t.client.workflow.execute(tenantWorkflow, { taskQueue, workflowId: workflowIds.tenant(unique, tenant), args: [input] });
    const sync = t.client.workflow.getHandle(workflowIds.sync(plan.source, tenant));
    const watcher = t.client.workflow.getHandle(workflowIds.reloadWatcher(siteKeyOf(plan.source)));
    // The sync starts the watcher itself, a moment after the tenant finished.
    await waitFor(() => watcher.query(reloadWatcherStateQuery).catch(() => ({ subscribers: 0 })), (s) => s.subscribers === 1);
    reloads.push({ appName: 'Sales', appId: 'a', lastReloadTime: '2024-02-01T00:00:00.000Z' });
    await waitFor(async () => seen.length, (n) => n === 1);
    reloads.push({ appName: 'Ops', appId: 'b', lastReloadTime: '2024-02-01T00:00:00.000Z' });
    // Ops completes while Sales still waits for its copy.
    const ops = await waitFor(() => sync.query(syncStateQuery), (s) => s.lastSynced.Ops === '2024-02-01T00:00:00.000Z');
    expect(ops.status).toBe('syncing');
    expect(ops.lastSynced.Sales).not.toBe('2024-02-01T00:00:00.000Z');
    // The copy first publish placed is the first candidate of the sync.
    expect(seen[0]).toEqual({ app: 'Sales', cloudAppId: 'c' });
    releaseSales();
    await waitFor(() => sync.query(syncStateQuery), (s) => s.syncs === 2 && s.status === 'watching' && s.lastSynced.Sales === '2024-02-01T00:00:00.000Z');
    await sync.executeUpdate(syncStopUpdate);
    await sync.result();
    await watcher.signal(reloadWatcherStopSignal);
    await watcher.result();
    await recordHistory(sync, 'tenant-sync-apps-independently');
  });
});
