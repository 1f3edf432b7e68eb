/**
 * Issue 7: the file-backed Temporal dev server is stopped and restarted (same port, same SQLite file) in the middle
 * of a rollout; the worker process keeps running and reconnects by itself, and the rollout completes exactly once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../src/devserver/dev-server';
import type { Simulator } from '../../src/simulator/api';
import { rolloutWorkflow } from '../../src/workflows';
import { workflowIds } from '../../src/workflows/messages';
import { testRunState, uniqueTaskQueue } from '../helpers/temporal';
import { closeSim, FAST, simPlan, startSim } from '../integration/sim-rollout';
import { startWorkerChild, type WorkerChild } from '../metrics/worker-process';
import { exactlyOnceProblems } from './support';
import { dataConverter } from '../../src/shared/payload-codec';
import { connectTemporalClient } from '../../src/shared/temporal-connection';

jest.setTimeout(240_000);

let server: DevServer | undefined;
let sim: Simulator | undefined;
let worker: WorkerChild | undefined;

afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await server?.stop();
  await closeSim(sim);
});

test('dev server stopped and restarted mid-rollout: the worker reconnects and the rollout completes', async () => {
  const dbFilename = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'survival-db-')), 'temporal.db');
  server = await startDevServer({ headless: true, dbFilename });
  const port = Number(server.address.split(':').pop());
  sim = await startSim({ tenants: 20, seed: 5, distributionDelayMs: 300 });
  const plan = simPlan(sim, [{ name: 'all', size: 20, concurrency: 2 }]);
  const taskQueue = uniqueTaskQueue('survival-restart');
  const state = { ...testRunState(), address: server.address, namespace: server.namespace };
  worker = await startWorkerChild(state, { QLIK_ROLLOUT_TASK_QUEUE: taskQueue, METRICS_VISIBILITY_INTERVAL_MS: '0' });
  const rolloutId = `survival-restart-${Date.now().toString(36)}`;

  let connection = await connectTemporalClient({ address: server.address });
  let client = new Client({ connection, namespace: server.namespace, dataConverter });
  await client.workflow.start(rolloutWorkflow, { taskQueue, workflowId: workflowIds.rollout(rolloutId), args: [{ rolloutId, plan, options: FAST }] });
  await new Promise((r) => setTimeout(r, 3_000));
  const downAt = Date.now();
  await server.stop();
  await connection.close();
  await new Promise((r) => setTimeout(r, 2_000));
  server = await startDevServer({ headless: true, dbFilename, port });
  const downMs = Date.now() - downAt;
  connection = await connectTemporalClient({ address: server.address });
  client = new Client({ connection, namespace: server.namespace, dataConverter });
  const result = await client.workflow.getHandle(workflowIds.rollout(rolloutId)).result();
  await connection.close();
  process.stdout.write(`\n[figures] dev server down ${downMs} ms mid-rollout; worker pid ${worker.child.pid} still alive: ${worker.child.exitCode === null}\n`);
  expect(worker.child.exitCode).toBeNull(); // the same worker process reconnected
  expect(result.status).toBe('succeeded');
  expect(exactlyOnceProblems(sim.dump(), plan)).toEqual([]);
});
