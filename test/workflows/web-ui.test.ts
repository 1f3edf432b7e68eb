/**
 * What the Temporal Web UI shows, read back through the client (no screenshots): the list by the rollout's search
 * attribute keeps each execution's own status (Running, Completed) readable because no custom attribute shadows it,
 * every workflow started carries a static summary, and the rollout and tenant workflows keep current details
 * (markdown: waves, counts, failures with reasons, the next command) that the Web UI reads with the built-in
 * `__temporal_workflow_metadata` query.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { migratedTenants } from '../../src/activities/migrated-tenants';
import { LEGACY_SEARCH_ATTRIBUTE_NAMES, PhaseKey, RolloutIdKey, SEARCH_ATTRIBUTES, StateKey, TenantKey, WaveKey } from '../../src/shared/search-attributes';
import { rolloutWorkflow, tenantWorkflow } from '../../src/workflows';
import { rolloutSummary } from '../../src/workflows/details';
import {
  reloadWatcherStopSignal,
  resumeUpdate,
  retryTenantUpdate,
  siteKeyOf,
  syncStopUpdate,
  workflowIds,
  type RolloutInput,
  type TenantWorkflowInput,
} from '../../src/workflows/messages';
import { RENAMED_SEARCH_ATTRIBUTES_PATCH } from '../../src/workflows/search';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { configError, makePlan, recordHistory, recordingActivities, waitFor, withWorker } from './support';

let t: TestTemporal;
beforeAll(async () => { t = await connectTestTemporal(); });
afterAll(async () => { await t.close(); });

const fast = { activityRetry: { initialIntervalMs: 50, maximumAttempts: 2 }, abortGraceMs: 10_000 };
const rid = (name: string) => `${name}-${Date.now().toString(36)}`;
const currentDetails = async (workflowId: string) => (await t.client.workflow.getHandle(workflowId).query(workflowMetadataQuery)).currentDetails ?? '';

/** Every execution the Web UI's list shows for `QrRolloutId = <id>`: workflow id -> execution status and state. */
async function listByRollout(rolloutId: string) {
  const rows: Record<string, { status: string; state?: string; attributes: string[] }> = {};
  for await (const wf of t.client.workflow.list({ query: `${RolloutIdKey.name} = '${rolloutId}'` })) {
    rows[wf.workflowId] = { status: wf.status.name, state: wf.typedSearchAttributes.get(StateKey), attributes: wf.typedSearchAttributes.getAll().map((p) => p.key.name) };
  }
  return rows;
}

test("the project's search attribute names are registered and shadow none of Temporal's own columns", async () => {
  const { customAttributes, systemAttributes } = await t.connection.operatorService.listSearchAttributes({ namespace: t.state.namespace });
  const ours = Object.keys(SEARCH_ATTRIBUTES);
  expect(ours.sort()).toEqual([PhaseKey, RolloutIdKey, StateKey, TenantKey, WaveKey].map((k) => k.name).sort());
  for (const name of ours) expect(customAttributes?.[name]).toBe(temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  // Compared without case: the visibility query parser does not tell `status` from `Status`.
  const builtIn = new Set([...Object.keys(systemAttributes ?? {}), 'Status', 'Type', 'Start', 'End', 'Id'].map((n) => n.toLowerCase()));
  expect(ours.filter((name) => builtIn.has(name.toLowerCase()))).toEqual([]);
  // The former names are gone from what the project registers (they are only read to replay and migrate).
  expect(ours.filter((name) => name in LEGACY_SEARCH_ATTRIBUTE_NAMES)).toEqual([]);
});

test('list by rollout shows each execution status; summaries and current details tell a failure, its reason and the next command', async () => {
  let idpFixed = false;
  const rec = recordingActivities({
    failer: (activity, tenant) => (activity === 'ensureIdp' && tenant === 'tenant-03' && !idpFixed ? configError('IdP create answered 403 for tenant-03: the API key is not a TenantAdmin') : undefined),
  });
  const plan = makePlan([{ name: 'canary', size: 1, concurrency: 1 }, { name: 'rest', size: 2, concurrency: 2, failureBudget: 0 }]);
  await withWorker(t, rec.activities, async (taskQueue) => {
    const rolloutId = rid('webui');
    const input: RolloutInput = { rolloutId, plan: { ...plan, name: rolloutId }, options: fast };
    // As `qlik-rollout start` starts it.
    const handle = await t.client.workflow.start(rolloutWorkflow, {
      taskQueue, workflowId: workflowIds.rollout(rolloutId), args: [input],
      typedSearchAttributes: [{ key: RolloutIdKey, value: rolloutId }], staticSummary: rolloutSummary(input.plan),
    });
    const failedId = workflowIds.tenant(rolloutId, 'tenant-03');
    const doneId = workflowIds.tenant(rolloutId, 'tenant-01');

    // The rest wave's budget (0) is spent by tenant-03: the rollout halts, tenant-03 waits for retry or skip.
    const rows = await waitFor(() => listByRollout(rolloutId), (r) => r[failedId]?.state === 'waiting-for-action' && Object.values(r).filter((row) => row.status === 'COMPLETED').length === 2);
    expect(Object.fromEntries(Object.entries(rows).map(([id, r]) => [id, r.status]))).toEqual({
      [handle.workflowId]: 'RUNNING',
      [doneId]: 'COMPLETED',
      [workflowIds.tenant(rolloutId, 'tenant-02')]: 'COMPLETED',
      [failedId]: 'RUNNING',
    });
    // No custom attribute named like the execution status column.
    for (const row of Object.values(rows)) expect(row.attributes.map((n) => n.toLowerCase())).not.toContain('status');

    const described = await handle.describe();
    expect(described.status.name).toBe('RUNNING');
    expect(await described.staticSummary()).toBe(`Rollout ${rolloutId}: 3 tenant(s) to Qlik Cloud in 2 wave(s) (canary → rest)`);
    expect(await (await t.client.workflow.getHandle(failedId).describe()).staticSummary()).toBe(`Tenant tenant-03: QSEoW → Qlik Cloud, rollout ${rolloutId}, wave rest`);

    const halted = await waitFor(() => currentDetails(handle.workflowId), (d) => d.includes(': halted'));
    expect(halted).toContain('**Waves**');
    expect(halted).toContain('- **canary** (succeeded): 1/1 done; 1 succeeded');
    expect(halted).toContain('- **rest** (halted): 2/2 done; 1 succeeded, 1 failed');
    expect(halted).toContain('failure budget of wave "rest" spent');
    expect(halted).toContain('**Failures (1)**');
    expect(halted).toContain('`tenant-03` (wave rest, phase idp): idp failed for tenant-03 [QlikConfigError]: IdP create answered 403');
    expect(halted).toContain(`\`qlik-rollout retry tenant-03 --rollout ${rolloutId}\``);
    expect(halted).toContain(`then \`qlik-rollout resume ${rolloutId}\``);

    const tenantDetails = await currentDetails(failedId);
    expect(tenantDetails).toContain('### Tenant tenant-03: failed, waiting for retry or skip');
    expect(tenantDetails).toContain('deployment ✓ · **idp ✗** · policy · verify · publish');
    expect(tenantDetails).toContain('**Failure** in phase `idp`');
    expect(tenantDetails).toContain('the API key is not a TenantAdmin');
    expect(tenantDetails).toContain(`\`qlik-rollout retry tenant-03 --rollout ${rolloutId}\``);
    expect(tenantDetails).toContain(`\`qlik-rollout skip tenant-03 --rollout ${rolloutId} --reason "..."\``);
    expect(await currentDetails(doneId)).toContain('### Tenant tenant-01: migrated');

    // Fixed and retried, then resumed: every execution completes and the details say nothing is left to do.
    idpFixed = true;
    await handle.executeUpdate(retryTenantUpdate, { args: [{ tenant: 'tenant-03' }] });
    await waitFor(() => currentDetails(handle.workflowId), (d) => !d.includes('**Failures'));
    await handle.executeUpdate(resumeUpdate);
    expect((await handle.result()).status).toBe('succeeded');
    const done = await waitFor(() => listByRollout(rolloutId), (r) => Object.values(r).every((row) => row.status === 'COMPLETED' && row.state === 'succeeded'));
    expect(Object.keys(done)).toHaveLength(4);
    const final = await currentDetails(handle.workflowId);
    expect(final).toContain(`### Rollout ${rolloutId}: succeeded`);
    expect(final).toContain('- **rest** (succeeded): 2/2 done; 2 succeeded');
    await recordHistory(handle, 'rollout-web-ui-details-halt-retry-resume');
    const retried = await currentDetails(failedId);
    expect(retried).toContain('### Tenant tenant-03: migrated');
    expect(retried).toContain('5/5 phases done');
    // --only-new asks by the new names; the legacy query is refused by a namespace without the old names (this
    // one, so far) and that refusal is not an error.
    const migrated = await migratedTenants({ rolloutId, tenantIdPrefix: workflowIds.tenant(rolloutId, ''), syncIdPrefix: `sync-${rid('none')}-` }, t.client);
    expect(migrated.tenants).toEqual(['tenant-01', 'tenant-02', 'tenant-03']);
    await expect(t.client.workflow.count(`RolloutId = '${rolloutId}' AND \`Status\` = 'succeeded'`)).rejects.toMatchObject({ cause: { code: 3 } });
  });
});

test('sync and reload watcher workflows carry a static summary', async () => {
  const rec = recordingActivities();
  const plan = makePlan([{ name: 'all', size: 1 }], { sync: { enabled: true, pollIntervalMs: 50 } });
  await withWorker(t, rec.activities, async (taskQueue) => {
    const input: TenantWorkflowInput = {
      rolloutId: rid('sumsync'), wave: 'all', plan: { ...plan, source: { ...plan.source, qrsUrl: `http://${rid('site')}.example/jwt` } },
      tenant: { name: 'tenant-01', url: 'http://x' }, activityRetry: fast.activityRetry, setupOrder: 'documented',
    };
    const tenant = await t.client.workflow.start(tenantWorkflow, { taskQueue, workflowId: rid('tenant-sync-summary'), args: [input] });
    await expect(tenant.result()).resolves.toMatchObject({ status: 'succeeded' });
    const siteKey = siteKeyOf(input.plan.source);
    const sync = t.client.workflow.getHandle(workflowIds.sync(input.plan.source, 'tenant-01'));
    const watcher = t.client.workflow.getHandle(workflowIds.reloadWatcher(siteKey));
    expect(await (await sync.describe()).staticSummary()).toBe(`Sync of tenant tenant-01 after every reload on QSEoW site ${siteKey}`);
    // The sync starts the watcher itself, a moment after the tenant finished.
    const watcherSummary = await waitFor(() => watcher.describe().then((d) => d.staticSummary(), () => undefined), (summary) => summary !== undefined);
    expect(watcherSummary).toContain(`Reload watcher of QSEoW site ${siteKey}`);
    expect(await currentDetails(tenant.workflowId)).toContain('6/6 phases done');
    await sync.executeUpdate(syncStopUpdate);
    await watcher.signal(reloadWatcherStopSignal);
    await sync.result();
    await watcher.result();
  });
});

/**
 * Last in this file: it registers the legacy names on this run's dev server, as a cluster upgraded from an older
 * release has them.
 */
test('a tenant started with the legacy attribute names writes them all under the new names (patched), and --only-new still finds legacy successes', async () => {
  const legacy = Object.fromEntries(Object.keys(LEGACY_SEARCH_ATTRIBUTE_NAMES).map((name) => [name, defineSearchAttributeKey(name, SearchAttributeType.KEYWORD)]));
  await t.connection.operatorService.addSearchAttributes({
    namespace: t.state.namespace,
    searchAttributes: Object.fromEntries(Object.keys(legacy).map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  const rolloutId = rid('legacy');
  const plan = makePlan([{ name: 'all', size: 1 }]);
  const input: TenantWorkflowInput = { rolloutId, wave: 'all', plan, tenant: { name: 'tenant-01', url: 'http://x' }, activityRetry: fast.activityRetry, setupOrder: 'documented' };
  const rec = recordingActivities();
  await withWorker(t, rec.activities, async (taskQueue) => {
    // As the rollout of the older release started its tenants: the five values under the old names.
    const handle = await waitFor(
      () => t.client.workflow.start(tenantWorkflow, {
        taskQueue, workflowId: workflowIds.tenant(rolloutId, 'tenant-01'), args: [input],
        typedSearchAttributes: [
          { key: legacy.RolloutId, value: rolloutId }, { key: legacy.Tenant, value: 'tenant-01' }, { key: legacy.Wave, value: 'all' },
          { key: legacy.Status, value: 'running' }, { key: legacy.Phase, value: 'deployment' },
        ],
      }).catch(() => undefined),
      (h) => h !== undefined, // the registration reaches the namespace cache within seconds
    );
    await expect(handle!.result()).resolves.toMatchObject({ status: 'succeeded' });
    const attributes = (await handle!.describe()).typedSearchAttributes;
    expect([RolloutIdKey, TenantKey, WaveKey, StateKey, PhaseKey].map((k) => attributes.get(k))).toEqual([rolloutId, 'tenant-01', 'all', 'succeeded', 'publish']);
    const markers = ((await handle!.fetchHistory()).events ?? []).filter((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {})
      .some((payloads) => (payloads.payloads ?? []).some((p) => Buffer.from(p.data ?? []).toString().includes(RENAMED_SEARCH_ATTRIBUTES_PATCH))));
    expect(markers).toHaveLength(1);
    // At the patch all five values at once (the state and phase too, though unchanged since the start).
    const upserts = ((await handle!.fetchHistory()).events ?? []).map((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    expect(upserts.find((names) => names.includes(RolloutIdKey.name))?.sort()).toEqual([PhaseKey, RolloutIdKey, StateKey, TenantKey, WaveKey].map((k) => k.name).sort());
    // Replayed by test/replay: the migration path (patch marker, then the new names) must stay replayable.
    await recordHistory(handle!, 'tenant-migrated-from-legacy-attributes');

    // A tenant that succeeded before the upgrade carries only the legacy Status (a stand-in: a tenantWorkflow on a
    // task queue no worker polls, with the attributes the older release left): --only-new still counts it.
    const old = await t.client.workflow.start(tenantWorkflow, {
      taskQueue: `${taskQueue}-unpolled`, workflowId: workflowIds.tenant(rolloutId, 'tenant-02'), args: [{ ...input, tenant: { name: 'tenant-02', url: 'http://y' } }],
      typedSearchAttributes: [{ key: legacy.RolloutId, value: rolloutId }, { key: legacy.Status, value: 'succeeded' }],
    });
    const found = await waitFor(
      () => migratedTenants({ rolloutId, tenantIdPrefix: workflowIds.tenant(rolloutId, ''), syncIdPrefix: `sync-${rid('none')}-` }, t.client),
      (r) => r.tenants.length === 2,
    );
    expect(found.tenants).toEqual(['tenant-01', 'tenant-02']);
    await old.terminate('test stand-in');
  });
});
