/**
 * The server's own continue-as-new suggestion (not the tenantsPerRun safety net): a second dev server with a low
 * history threshold makes the rollout continue as new several times; no tenant is lost or started twice.
 */
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../src/devserver/dev-server';
import { createWorker } from '../../src/worker/worker';
import { rolloutWorkflow } from '../../src/workflows';
import { workflowIds } from '../../src/workflows/messages';
import { testRunState, uniqueTaskQueue } from '../helpers/temporal';
import { makePlan, recordingActivities } from './support';
import { dataConverter } from '../../src/shared/payload-codec';
import { connectTemporalClient } from '../../src/shared/temporal-connection';

let server: DevServer;
beforeAll(async () => { server = await startDevServer({ headless: true, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 80 } }); });
afterAll(async () => { await server?.stop(); });

test('continues as new when the server suggests it and loses no tenant', async () => {
  const connection = await connectTemporalClient({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter });
  const rec = recordingActivities();
  const taskQueue = uniqueTaskQueue('can');
  const worker = await createWorker({ connection: nativeConnection, namespace: server.namespace, taskQueue, activities: rec.activities, workflowBundle: { codePath: testRunState().bundlePath } });
  const plan = makePlan([{ name: 'canary', size: 2, concurrency: 2 }, { name: 'rest', size: 14, concurrency: 4 }]);
  try {
    const result = await worker.runUntil(client.workflow.execute(rolloutWorkflow, {
      taskQueue, workflowId: workflowIds.rollout('server-suggested'), args: [{ rolloutId: 'server-suggested', plan, options: { activityRetry: { initialIntervalMs: 50 } } }],
    }));
    expect(result.status).toBe('succeeded');
    expect(result.run).toBeGreaterThan(1);
    expect(result.waves.map((w) => w.counts.succeeded)).toEqual([2, 14]);
    for (const tenant of plan.tenants) expect(rec.count('ensurePolicy', tenant.name)).toBe(1);
  } finally {
    await nativeConnection.close();
    await connection.close();
  }
});
