import { Client } from '@temporalio/client';
import { rolloutWorkflow } from '../../src/workflows';
import { progressQuery, workflowIds, type RolloutInput } from '../../src/workflows/messages';
import { GZIP_ENCODING, payloadEncoding } from '../../src/shared/payload-codec';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { makePlan, recordingActivities, waitFor, withWorker } from './support';

let t: TestTemporal;
beforeAll(async () => { t = await connectTestTemporal(); });
afterAll(async () => { await t.close(); });

const TWO_MIB = 2 * 1024 * 1024;

test('a plan larger than the 2 MB Temporal accepts per payload starts and runs: its input travels gzipped', async () => {
  // Tenant entries as a real plan has them: ~170 bytes each, so 14,000 tenants are ~2.4 MB of JSON.
  const plan = makePlan([{ name: 'all', size: 14_000, concurrency: 2 }]);
  plan.tenants = plan.tenants.map((tenant) => ({
    ...tenant,
    url: `https://${tenant.name}-analytics.eu.qlikcloud.com`,
    managedSpace: `${tenant.name} Analytics`,
    auth: { type: 'apiKey' as const, key: `file:/run/secrets/qlik/${tenant.name}.key` },
  }));
  const rolloutId = `large-${Date.now().toString(36)}`;
  const input: RolloutInput = { rolloutId, plan, options: { activityRetry: { initialIntervalMs: 50, maximumAttempts: 2 } } };
  expect(JSON.stringify(input).length).toBeGreaterThan(TWO_MIB);

  // A client without the project's codec meets Temporal's limit: the server refuses the start.
  const plain = new Client({ connection: t.connection, namespace: t.state.namespace });
  const refused = await plain.workflow.start(rolloutWorkflow, { taskQueue: 'never-polled', workflowId: workflowIds.rollout(`${rolloutId}-plain`), args: [input] }).then(() => undefined, (err: Error) => err);
  expect(refused).toBeInstanceOf(Error);
  expect(String((refused as Error & { cause?: unknown }).cause)).toMatch(/size|limit/i);

  const rec = recordingActivities();
  await withWorker(t, rec.activities, async (taskQueue) => {
    const handle = await t.client.workflow.start(rolloutWorkflow, { taskQueue, workflowId: workflowIds.rollout(rolloutId), args: [input] });
    try {
      const progress = await waitFor(() => handle.query(progressQuery), (p) => p.waves[0].counts.succeeded >= 2, 60_000);
      expect(progress.status).toBe('running');
      const started = (await handle.fetchHistory()).events?.[0].workflowExecutionStartedEventAttributes;
      const payload = started?.input?.payloads?.[0];
      expect(payload && payloadEncoding(payload)).toBe(GZIP_ENCODING);
      expect(payload?.data?.length).toBeLessThan(512 * 1024);
    } finally {
      await handle.terminate('large-plan test done');
    }
  });
});
