/**
 * Issue 7: a 100-tenant rollout survives SIGKILLs of its worker process at seeded random moments (and a second
 * worker being killed while the first keeps going). Afterwards the simulator's dump shows exactly one policy value,
 * deployment, IdP, managed space and app copy per tenant, and no workflow history or worker log holds a secret.
 */
import type { Simulator } from '../../src/simulator/api';
import { rolloutWorkflow } from '../../src/workflows';
import { workflowIds } from '../../src/workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { closeSim, FAST, simPlan, startSim } from '../integration/sim-rollout';
import { startWorkerChild, type WorkerChild } from '../metrics/worker-process';
import { exactlyOnceProblems, issuedBearerTokens, secretLeaks, seededRandom, simulatorSecrets } from './support';

jest.setTimeout(420_000);

let t: TestTemporal;
let sim: Simulator | undefined;
const workers: WorkerChild[] = [];

beforeAll(async () => { t = await connectTestTemporal(); });
afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await closeSim(sim);
  await t.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function spawnWorker(taskQueue: string): Promise<WorkerChild> {
  const w = await startWorkerChild(t.state, { QLIK_ROLLOUT_TASK_QUEUE: taskQueue, METRICS_VISIBILITY_INTERVAL_MS: '0', WORKER_SHUTDOWN_GRACE_MS: '1000' });
  workers.push(w);
  return w;
}

async function kill(w: WorkerChild): Promise<void> {
  const exited = new Promise((r) => w.child.once('exit', r));
  w.child.kill('SIGKILL');
  await exited;
}

test('100 tenants, 5 SIGKILLs of the only worker + 1 of a second worker: completes, nothing duplicated, no secret leaks', async () => {
  sim = await startSim({ tenants: 100, seed: 7 });
  const plan = simPlan(sim, [{ name: 'canary', size: 4, concurrency: 4 }, { name: 'rest', size: 96, concurrency: 12 }]);
  const taskQueue = uniqueTaskQueue('survival-kill');
  const rolloutId = `survival-kill-${Date.now().toString(36)}`;
  const random = seededRandom(20261128);
  const started = Date.now();

  let worker = await spawnWorker(taskQueue);
  const handle = await t.client.workflow.start(rolloutWorkflow, { taskQueue, workflowId: workflowIds.rollout(rolloutId), args: [{ rolloutId, plan, options: { ...FAST, activityRetry: { ...FAST.activityRetry, maximumAttempts: 8 } } }] });
  let finished = false;
  const result = handle.result().finally(() => { finished = true; });

  const killMoments: number[] = [];
  for (let i = 0; i < 5 && !finished; i++) {
    const delay = 1_500 + Math.floor(random() * 3_000);
    await sleep(delay);
    if (finished) break;
    killMoments.push(Date.now() - started);
    await kill(worker);
    worker = await spawnWorker(taskQueue);
  }
  // Two workers on the queue, then one of them dies: the other takes over its tasks.
  let secondKilled = false;
  if (!finished) {
    const second = await spawnWorker(taskQueue);
    await sleep(1_500 + Math.floor(random() * 1_500));
    if (!finished) { await kill(second); secondKilled = true; }
  }
  const outcome = await result;
  const ms = Date.now() - started;
  process.stdout.write(`\n[figures] 100-tenant rollout: ${killMoments.length} SIGKILLs of the only worker at ${killMoments.join(', ')} ms, second worker killed: ${secondKilled}, ${workers.length} worker processes, completed in ${ms} ms\n`);

  expect(killMoments.length).toBe(5);
  expect(outcome.status).toBe('succeeded');
  expect(outcome.waves.map((w) => w.counts.succeeded)).toEqual([4, 96]);
  expect(exactlyOnceProblems(sim.dump(), plan)).toEqual([]);

  // Secrets: no API key, QRS JWT or issued bearer token in any history of the rollout, nor in the worker logs.
  const secrets = [...simulatorSecrets(sim), ...(await issuedBearerTokens(sim))];
  expect(secrets.length).toBeGreaterThanOrEqual(1 + 100 + 200);
  const { leaks, histories, events, logLines } = await secretLeaks(t.client, taskQueue, secrets, workers.flatMap((w) => w.logs));
  process.stdout.write(`[figures] secrets checked: ${secrets.length} values against ${histories} histories (${events} events) and ${logLines} log lines\n`);
  expect(histories).toBeGreaterThanOrEqual(101);
  expect(leaks).toEqual([]);
});
