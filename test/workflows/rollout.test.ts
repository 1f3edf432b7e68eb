// pause/abort take an optional argument, which the client's executeUpdate overloads cannot express: call by name.
import { PhaseKey, RolloutIdKey, StateKey, TenantKey, WaveKey } from '../../src/shared/search-attributes';
import { rolloutWorkflow } from '../../src/workflows';
import {
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  retryTenantUpdate,
  skipTenantUpdate,
  workflowIds,
  type RolloutInput,
  type RolloutStatus,
} from '../../src/workflows/messages';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { configError, makePlan, recordHistory, recordingActivities, waitFor, withWorker } from './support';

let t: TestTemporal;
beforeAll(async () => { t = await connectTestTemporal(); });
afterAll(async () => { await t.close(); });

const fast = { activityRetry: { initialIntervalMs: 50, maximumAttempts: 2 }, abortGraceMs: 10_000 };

function start(taskQueue: string, input: RolloutInput) {
  return t.client.workflow.start(rolloutWorkflow, { taskQueue, workflowId: workflowIds.rollout(input.rolloutId), args: [input] });
}

const rid = (name: string) => `${name}-${Date.now().toString(36)}`;

test('20 tenants in 3 waves: canary first, window bounded, every tenant once; continue-as-new loses none', async () => {
  let running = 0;
  let maxRunning = 0;
  const rec = recordingActivities({
    onCall: async (activity) => {
      if (activity !== 'ensurePolicy') return;
      running += 1; maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 30));
      running -= 1;
    },
  });
  const plan = makePlan([{ name: 'canary', size: 2, concurrency: 1 }, { name: 'early', size: 6, concurrency: 3 }, { name: 'rest', size: 12, concurrency: 4 }]);
  await withWorker(t, rec.activities, async (taskQueue) => {
    const handle = await start(taskQueue, { rolloutId: rid('twenty'), plan, options: { ...fast, tenantsPerRun: 6 } });
    const result = await handle.result();
    expect(result.status).toBe('succeeded');
    expect(result.waves.map((w) => [w.name, w.status, w.counts.succeeded])).toEqual([['canary', 'succeeded', 2], ['early', 'succeeded', 6], ['rest', 'succeeded', 12]]);
    expect(result.run).toBeGreaterThanOrEqual(4); // 20 starts at 6 per run
    for (const tenant of plan.tenants) expect(rec.count('firstPublish', tenant.name)).toBe(1);
    // Canary tenants were the first two to start.
    expect(rec.calls.filter((c) => c.activity === 'ensurePolicy').slice(0, 2).map((c) => c.tenant)).toEqual(['tenant-01', 'tenant-02']);
    expect(maxRunning).toBeLessThanOrEqual(4);
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(StateKey)).toBe('succeeded');
    await recordHistory(t.client.workflow.getHandle(handle.workflowId), 'rollout-last-run-after-continue-as-new');
  });
});

test('a tenant started by the rollout carries its search attributes from its start: no upsert before its first activity', async () => {
  const rec = recordingActivities();
  const plan = makePlan([{ name: 'only', size: 1, concurrency: 1 }]);
  await withWorker(t, rec.activities, async (taskQueue) => {
    const rolloutId = rid('attrs');
    await (await start(taskQueue, { rolloutId, plan, options: fast })).result();
    const tenant = t.client.workflow.getHandle(workflowIds.tenant(rolloutId, plan.tenants[0].name));
    const events = (await tenant.fetchHistory()).events ?? [];
    const started = events[0].workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields ?? {};
    expect(Object.keys(started).sort()).toEqual([PhaseKey.name, RolloutIdKey.name, StateKey.name, TenantKey.name, WaveKey.name].sort());
    const firstActivity = events.findIndex((e) => e.activityTaskScheduledEventAttributes);
    expect(firstActivity).toBeGreaterThan(0);
    expect(events.slice(0, firstActivity).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toEqual([]);
    // Each later phase still shows in the Web UI: Phase moved on, and the final Status is written.
    const described = await tenant.describe();
    expect(described.typedSearchAttributes.get(StateKey)).toBe('succeeded');
    expect(described.typedSearchAttributes.get(PhaseKey)).toBe('publish');
    expect(described.typedSearchAttributes.get(TenantKey)).toBe(plan.tenants[0].name);
    await recordHistory(tenant, 'tenant-started-with-attributes');
  });
});

test('pause stops new tenants from starting; resume continues', async () => {
  const rec = recordingActivities({ delayMs: 100 });
  const plan = makePlan([{ name: 'one', size: 6, concurrency: 1 }]);
  await withWorker(t, rec.activities, async (taskQueue) => {
    const handle = await start(taskQueue, { rolloutId: rid('pause'), plan, options: fast });
    await waitFor(async () => rec.count('ensurePolicy'), (n) => n >= 2);
    expect(await handle.executeUpdate<RolloutStatus, [{ reason: string }]>(pauseUpdate.name, { args: [{ reason: 'maintenance window' }] })).toBe('paused');
    const paused = await waitFor(() => handle.query(progressQuery), (p) => p.waves[0].counts.running === 0);
    const startedWhilePaused = rec.count('ensurePolicy');
    await new Promise((r) => setTimeout(r, 1500));
    expect(rec.count('ensurePolicy')).toBe(startedWhilePaused);
    expect(paused).toMatchObject({ status: 'paused', reason: 'maintenance window' });
    expect(paused.waves[0].counts.pending).toBeGreaterThan(0);
    expect(await handle.executeUpdate(resumeUpdate)).toBe('running');
    await expect(handle.result()).resolves.toMatchObject({ status: 'succeeded' });
    expect(rec.count('firstPublish')).toBe(6);
    await recordHistory(handle, 'rollout-paused-resumed');
  });
});

test('a spent failure budget halts the rollout; retry and skip fix it; resume finishes', async () => {
  const broken = new Set(['tenant-02', 'tenant-03']);
  const rec = recordingActivities({ failer: (a, tenant) => (a === 'ensureIdp' && broken.has(tenant) ? configError(`IdP create answered 401 for ${tenant}: fix the API key reference`) : undefined) });
  const plan = makePlan([{ name: 'canary', size: 3, concurrency: 3, failureBudget: 1 }, { name: 'rest', size: 4, concurrency: 2 }]);
  await withWorker(t, rec.activities, async (taskQueue) => {
    const handle = await start(taskQueue, { rolloutId: rid('budget'), plan, options: fast });
    const halted = await waitFor(() => handle.query(progressQuery), (p) => p.status === 'halted' && p.waves[0].counts.failed === 2);
    expect(halted.reason).toMatch(/failure budget of wave "canary" spent: 2 failed > 1 allowed/);
    expect(halted.tenants.find((x) => x.tenant === 'tenant-02')).toMatchObject({ status: 'failed', phase: 'idp' });
    await new Promise((r) => setTimeout(r, 500));
    expect(rec.count('ensurePolicy', 'tenant-04')).toBe(0); // no new tenant while halted
    await expect(handle.executeUpdate(resumeUpdate)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/cannot resume/) } });
    await expect(handle.executeUpdate(retryTenantUpdate, { args: [{ tenant: 'tenant-01' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/it is succeeded/) } });

    broken.delete('tenant-02');
    expect(await handle.executeUpdate(retryTenantUpdate, { args: [{ tenant: 'tenant-02' }] })).toMatchObject({ status: 'running' });
    expect(await handle.executeUpdate(skipTenantUpdate, { args: [{ tenant: 'tenant-03', reason: 'contract ended' }] })).toMatchObject({ status: 'skipped' });
    await waitFor(() => handle.query(progressQuery), (p) => p.waves[0].counts.succeeded === 2);
    expect(await handle.executeUpdate(resumeUpdate)).toBe('running');
    const result = await handle.result();
    expect(result.status).toBe('succeeded');
    expect(result.waves[0].counts).toMatchObject({ succeeded: 2, skipped: 1, failed: 0 });
    expect(result.tenants).toEqual([{ tenant: 'tenant-03', wave: 'canary', status: 'skipped', phase: 'idp', reason: 'contract ended' }]);
    expect(rec.count('ensureIdp', 'tenant-02')).toBe(2);
    expect(rec.count('ensurePolicy', 'tenant-02')).toBe(1);
    await recordHistory(handle, 'rollout-halted-retry-skip-resume');
  });
});

test('approval gates the next wave; abort cancels running tenants and starts no more', async () => {
  const rec = recordingActivities({ delayMs: 30_000, onCall: () => undefined });
  const quick = recordingActivities();
  // Canary is quick; the second wave's tenants hang in a heartbeating activity until cancelled.
  const activities = { ...rec.activities, ensurePolicy: async (ctx: Parameters<typeof rec.activities.ensurePolicy>[0]) => (ctx.tenant.name === 'tenant-01' ? quick.activities.ensurePolicy(ctx) : rec.activities.ensurePolicy(ctx)) };
  const plan = makePlan([{ name: 'canary', size: 1, approval: true }, { name: 'rest', size: 4, concurrency: 2 }]);
  for (const k of ['verifyApp', 'ensureDeployment', 'ensureIdp', 'firstPublish'] as const) (activities as Record<string, unknown>)[k] = quick.activities[k];
  await withWorker(t, activities, async (taskQueue) => {
    const handle = await start(taskQueue, { rolloutId: rid('approve'), plan, options: fast });
    await waitFor(() => handle.query(progressQuery), (p) => p.status === 'awaiting-approval');
    await expect(handle.executeUpdate(approveUpdate, { args: [{ wave: 'rest' }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/"canary" awaits approval/) } });
    expect(await handle.executeUpdate(approveUpdate, { args: [{ wave: 'canary' }] })).toBe('running');
    await waitFor(async () => rec.count('ensurePolicy'), (n) => n === 2);
    expect(await handle.executeUpdate<RolloutStatus, [{ reason: string }]>(abortUpdate.name, { args: [{ reason: 'bad build' }] })).toBe('aborting');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'aborted', reason: 'bad build' });
    expect(result.waves[1].counts).toMatchObject({ cancelled: 2, pending: 2 });
    expect(rec.count('ensurePolicy')).toBe(2);
    await recordHistory(handle, 'rollout-approval-abort');
  });
});
