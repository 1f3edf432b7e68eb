import { WorkflowFailedError } from '@temporalio/client';
import { PhaseKey, StateKey } from '../../src/shared/search-attributes';
import { tenantWorkflow } from '../../src/workflows';
import {
  tenantPauseUpdate,
  tenantResumeUpdate,
  tenantRetryUpdate,
  tenantSkipUpdate,
  tenantStateQuery,
  type TenantWorkflowInput,
} from '../../src/workflows/messages';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { configError, makePlan, recordHistory, recordingActivities, waitFor, withWorker } from './support';

let t: TestTemporal;
beforeAll(async () => { t = await connectTestTemporal(); });
afterAll(async () => { await t.close(); });

/** As the rollout starts a tenant: Qlik's documented setup order. */
function tenantInput(tenant = 'tenant-01'): TenantWorkflowInput {
  const plan = makePlan([{ name: 'all', size: 1 }]);
  return {
    rolloutId: `r${Date.now().toString(36)}`, wave: 'all', plan, tenant: { name: tenant, url: 'http://x' }, activityRetry: { initialIntervalMs: 50, maximumAttempts: 2 },
    setupOrder: 'documented',
  };
}

test('runs the five phases once, in order, and shows the outcome by query and search attributes', async () => {
  const rec = recordingActivities();
  await withWorker(t, rec.activities, async (taskQueue) => {
    const input = tenantInput();
    const handle = await t.client.workflow.start(tenantWorkflow, { taskQueue, workflowId: `tenant-happy-${Date.now()}`, args: [input] });
    const result = await handle.result();
    expect(result).toMatchObject({ tenant: 'tenant-01', status: 'succeeded' });
    // Qlik's order: deployment, IdP, then the policy value that makes QSEoW distribute, then verify and publish.
    expect(rec.calls.map((c) => c.activity)).toEqual(['ensureDeployment', 'ensureIdp', 'ensurePolicy', 'verifyApp', 'firstPublish']);
    const state = await handle.query(tenantStateQuery);
    expect(state.completedPhases).toEqual(['deployment', 'idp', 'policy', 'verify', 'publish']);
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(StateKey)).toBe('succeeded');
    expect(described.typedSearchAttributes.get(PhaseKey)).toBe('publish');
    await recordHistory(handle, 'tenant-succeeded-documented-order');
  });
});

test('a tenant started before the documented order (no setupOrder in its input) keeps the order it began with', async () => {
  const rec = recordingActivities();
  await withWorker(t, rec.activities, async (taskQueue) => {
    const { setupOrder: _documented, ...legacy } = tenantInput();
    const handle = await t.client.workflow.start(tenantWorkflow, { taskQueue, workflowId: `tenant-legacy-${Date.now()}`, args: [legacy] });
    await expect(handle.result()).resolves.toMatchObject({ status: 'succeeded' });
    expect(rec.calls.map((c) => c.activity)).toEqual(['ensurePolicy', 'verifyApp', 'ensureDeployment', 'ensureIdp', 'firstPublish']);
    await recordHistory(handle, 'tenant-succeeded');
  });
});

test('a failed phase waits for action; retry re-runs only the failed phase and the rest', async () => {
  let idpFixed = false;
  const rec = recordingActivities({ failer: (a) => (a === 'ensureIdp' && !idpFixed ? configError('IdP create answered 403 for tenant-01: the API key is not a TenantAdmin') : undefined) });
  await withWorker(t, rec.activities, async (taskQueue) => {
    const handle = await t.client.workflow.start(tenantWorkflow, { taskQueue, workflowId: `tenant-retry-${Date.now()}`, args: [tenantInput()] });
    const waiting = await waitFor(() => handle.query(tenantStateQuery), (s) => s.status === 'waiting-for-action');
    expect(waiting.phase).toBe('idp');
    expect(waiting.reason).toMatch(/idp failed for tenant-01 \[QlikConfigError\]: IdP create answered 403/);
    expect(rec.count('ensureIdp')).toBe(1); // non-retryable: no automatic retry
    await expect(handle.executeUpdate(tenantResumeUpdate)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/not paused/) } });
    idpFixed = true;
    const afterRetry = await handle.executeUpdate(tenantRetryUpdate);
    expect(afterRetry.status).toBe('running');
    await expect(handle.result()).resolves.toMatchObject({ status: 'succeeded' });
    expect(rec.count('ensureDeployment')).toBe(1);
    expect(rec.count('ensureIdp')).toBe(2);
    expect(rec.count('ensurePolicy')).toBe(1);
    expect(rec.count('firstPublish')).toBe(1);
    await recordHistory(handle, 'tenant-failed-then-retried');
  });
});

test('skip ends a failed tenant as skipped', async () => {
  const rec = recordingActivities({ failer: (a) => (a === 'verifyApp' ? configError('app Sales is not published') : undefined) });
  await withWorker(t, rec.activities, async (taskQueue) => {
    const handle = await t.client.workflow.start(tenantWorkflow, { taskQueue, workflowId: `tenant-skip-${Date.now()}`, args: [tenantInput()] });
    await waitFor(() => handle.query(tenantStateQuery), (s) => s.status === 'waiting-for-action');
    await handle.executeUpdate(tenantSkipUpdate, { args: [{ reason: 'customer left' }] });
    await expect(handle.result()).resolves.toMatchObject({ status: 'skipped', phase: 'verify', reason: 'customer left' });
    expect(rec.count('firstPublish')).toBe(0);
  });
});

test('pause holds the tenant between phases; resume continues', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const rec = recordingActivities({ onCall: (a) => (a === 'ensureDeployment' ? gate : undefined) });
  await withWorker(t, rec.activities, async (taskQueue) => {
    const handle = await t.client.workflow.start(tenantWorkflow, { taskQueue, workflowId: `tenant-pause-${Date.now()}`, args: [tenantInput()] });
    await waitFor(async () => rec.count('ensureDeployment'), (n) => n === 1);
    await handle.executeUpdate(tenantPauseUpdate);
    release();
    const paused = await waitFor(() => handle.query(tenantStateQuery), (s) => s.status === 'paused');
    expect(paused.completedPhases).toEqual(['deployment']);
    await new Promise((r) => setTimeout(r, 500));
    expect(rec.count('ensureIdp')).toBe(0);
    await handle.executeUpdate(tenantResumeUpdate);
    await expect(handle.result()).resolves.toMatchObject({ status: 'succeeded' });
  });
});

test('cancellation stops a heartbeating activity and closes the tenant as cancelled', async () => {
  const rec = recordingActivities({ delayMs: 60_000 });
  await withWorker(t, rec.activities, async (taskQueue) => {
    const handle = await t.client.workflow.start(tenantWorkflow, { taskQueue, workflowId: `tenant-cancel-${Date.now()}`, args: [tenantInput()] });
    await waitFor(async () => rec.count('ensureDeployment'), (n) => n === 1);
    const started = Date.now();
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(Date.now() - started).toBeLessThan(20_000);
    const state = await handle.query(tenantStateQuery);
    expect(state).toMatchObject({ status: 'cancelled', phase: 'deployment', completedPhases: [] });
    expect(rec.count('ensureIdp')).toBe(0);
    await recordHistory(handle, 'tenant-cancelled');
  });
});
