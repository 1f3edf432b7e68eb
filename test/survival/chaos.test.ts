/**
 * The chaos suite: faults unlike the other survival tests, all at once, and no person in the loop.
 * - lost answers on every write (applied, then the socket destroyed or a 503), on QRS, HDS and every tenant;
 * - 429 storms on one tenant (every request 429 for 40 s, twice); failing distributions (half of them) to two tenants; slow HDS calls;
 * - one tenant down for CHAOS_OUTAGE_MS (default 45 s here; `npm run soak` runs 3 minutes);
 * - two worker processes: one SIGKILLed (and restarted), the other frozen (SIGSTOP) for 20 s then SIGKILLed;
 * - the file-backed dev server stopped and restarted mid-rollout.
 * Must: every tenant converges with 0 operator retries, 0 duplicates (the simulator's dump, per natural key),
 * 0 secret bytes in the histories and worker logs. CHAOS_TENANTS (default 20) scales it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../src/devserver/dev-server';
import { DEFAULT_DISTRIBUTION } from '../../src/plan/types';
import type { FaultRule, SimRequestLogEntry, Simulator } from '../../src/simulator/api';
import { dataConverter } from '../../src/shared/payload-codec';
import { rolloutWorkflow } from '../../src/workflows';
import { progressQuery, workflowIds } from '../../src/workflows/messages';
import { testRunState, uniqueTaskQueue } from '../helpers/temporal';
import { closeSim, simPlan, startSim } from '../integration/sim-rollout';
import { startWorkerChild, type WorkerChild } from '../metrics/worker-process';
import { exactlyOnceProblems, issuedBearerTokens, secretLeaks, simulatorSecrets } from './support';
import { connectTemporalClient } from '../../src/shared/temporal-connection';

const TENANTS = Number(process.env.CHAOS_TENANTS ?? 20);
const OUTAGE_MS = Number(process.env.CHAOS_OUTAGE_MS ?? 45_000);
const FREEZE_MS = 20_000;
/** 429 storms on one tenant: 40 s of every request answered 429, then 10 s of calm, this many times. */
const STORMS = Number(process.env.CHAOS_STORMS ?? 2);
jest.setTimeout(OUTAGE_MS + 8 * 60_000);

let server: DevServer | undefined;
let sim: Simulator | undefined;
const workers: WorkerChild[] = [];
let connection: Connection | undefined;

afterAll(async () => {
  for (const w of workers) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
    w.child.kill('SIGCONT');
    w.child.kill('SIGKILL');
  }
  await connection?.close().catch(() => undefined);
  await server?.stop();
  await closeSim(sim);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function kill(w: WorkerChild): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  const exited = new Promise((r) => w.child.once('exit', r));
  w.child.kill('SIGCONT'); // a frozen process must run to die
  w.child.kill('SIGKILL');
  await exited;
}

test(`chaos: ${TENANTS} tenants converge with no operator action, no duplicate, no secret`, async () => {
  const dbFilename = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-db-')), 'temporal.db');
  server = await startDevServer({ headless: true, dbFilename });
  const port = Number(server.address.split(':').pop());
  sim = await startSim({ tenants: TENANTS, seed: 2026, distributionDelayMs: 100 });
  const names = sim.tenants.map((x) => x.name);
  const [stormy, down, flakyA, flakyB] = [names[1], names[2], names[3], names[4]];
  const plan = simPlan(sim, [{ name: 'all', size: TENANTS, concurrency: Math.min(10, TENANTS), failureBudget: TENANTS }], {
    retries: { transientMs: OUTAGE_MS + 5 * 60_000, rateLimitedMs: OUTAGE_MS + 30 * 60_000 },
    distribution: { ...DEFAULT_DISTRIBUTION, resendAfterMs: 5_000 },
    failureBudget: TENANTS,
  });
  const taskQueue = uniqueTaskQueue('chaos');
  const state = { ...testRunState(), address: server.address, namespace: server.namespace };
  const spawn = async () => {
    const w = await startWorkerChild(state, { QLIK_ROLLOUT_TASK_QUEUE: taskQueue, METRICS_VISIBILITY_INTERVAL_MS: '0', WORKER_SHUTDOWN_GRACE_MS: '1000' });
    workers.push(w);
    return w;
  };
  let [workerA, workerB] = [await spawn(), await spawn()];

  sim.clearRequestLog();
  const faults = (storm: boolean): FaultRule[] => [
    { host: '*', lostResponseRate: 0.2 },
    { host: '*', errorRate: 0.03, resetRate: 0.02 },
    // A storm: every request to the tenant answered 429 (Retry-After 2 s) while it lasts.
    ...(storm ? [{ host: stormy, rateLimitBurstRate: 1, burstLength: 0, retryAfterSeconds: 2 }] : []),
    { host: flakyA, route: 'DISTRIBUTE', errorRate: 0.5 },
    { host: flakyB, route: 'DISTRIBUTE', errorRate: 0.5 },
    { host: 'qrs', route: '/api/hds', latencyMs: { min: 200, max: 1_500 } },
  ];
  // Storms of 40 s with 10 s of calm between, STORMS times (a limit lifts as its quota refills: not forever).
  let stormsLeft = STORMS;
  let stormTimer: NodeJS.Timeout | undefined;
  const weather = (storm: boolean): void => {
    sim?.setFaults(faults(storm));
    if (storm) stormsLeft--;
    else if (stormsLeft === 0) return;
    stormTimer = setTimeout(() => weather(!storm), storm ? 40_000 : 10_000);
  };
  weather(true);
  sim.setTenantDown({ tenant: down, forMs: OUTAGE_MS });

  const rolloutId = `chaos-${Date.now().toString(36)}`;
  const started = Date.now();
  connection = await connectTemporalClient({ address: server.address });
  let client = new Client({ connection, namespace: server.namespace, dataConverter });
  // No maximumAttempts and no retry/skip from anyone: the budgets are the plan's; a failed tenant closes after 2 s.
  await client.workflow.start(rolloutWorkflow, {
    taskQueue, workflowId: workflowIds.rollout(rolloutId),
    args: [{ rolloutId, plan, options: { activityRetry: { initialIntervalMs: 500, maximumIntervalMs: 5_000 }, tenantActionTimeoutMs: 2_000 } }],
  });
  const events: string[] = [];
  const mark = (what: string) => events.push(`${what} at ${Date.now() - started} ms`);

  await sleep(3_000);
  mark('SIGKILL worker A');
  await kill(workerA);
  workerA = await spawn();
  await sleep(2_000);
  mark(`SIGSTOP worker B for ${FREEZE_MS} ms`);
  workerB.child.kill('SIGSTOP');
  await sleep(4_000);
  mark('dev server stopped');
  await server.stop();
  await connection.close();
  await sleep(2_000);
  server = await startDevServer({ headless: true, dbFilename, port });
  mark('dev server restarted');
  connection = await connectTemporalClient({ address: server.address });
  client = new Client({ connection, namespace: server.namespace, dataConverter });
  await sleep(Math.max(0, FREEZE_MS - 8_000));
  workerB.child.kill('SIGCONT');
  mark('worker B thawed');
  await sleep(3_000);
  mark('SIGKILL worker B');
  await kill(workerB);
  workerB = await spawn();

  // Should it hang, say where: the rollout's progress (tenants by status and phase, reasons) every 2 minutes.
  const probe = setInterval(() => {
    void client.workflow.getHandle(workflowIds.rollout(rolloutId)).query(progressQuery, {})
      .then((p) => process.stdout.write(`\n[progress at ${Date.now() - started} ms] ${JSON.stringify(p).slice(0, 4000)}\n`))
      .catch(() => undefined);
  }, 120_000);
  const result = await client.workflow.getHandle(workflowIds.rollout(rolloutId)).result().finally(() => clearInterval(probe));
  const ms = Date.now() - started;
  clearTimeout(stormTimer);
  sim.setFaults([]);
  const log = sim.requestLog();
  const count = (pred: (e: SimRequestLogEntry) => boolean) => log.filter(pred).length;
  const figures = {
    requests: log.length,
    lostAnswers: count((e) => e.lost !== undefined),
    lostByHost: { qrs: count((e) => e.lost !== undefined && e.host === 'qrs' && !e.path.toLowerCase().startsWith('/api/hds')), hds: count((e) => e.lost !== undefined && e.path.toLowerCase().startsWith('/api/hds')), cloud: count((e) => e.lost !== undefined && e.host !== 'qrs') },
    http503: count((e) => e.status === 503), resets: count((e) => e.status === 0), storm429: count((e) => e.host === stormy && e.status === 429),
    down503: count((e) => e.host === down && e.status === 503),
    failedDistributions: sim.dump().site.distributions.filter((d) => d.status === 'failed').length,
  };
  const counts = result.waves[0].counts;
  process.stdout.write(`\n[figures] chaos ${TENANTS} tenants, outage ${OUTAGE_MS} ms: ${result.status} in ${ms} ms, counts ${JSON.stringify(counts)}; faults ${JSON.stringify(figures)}; ${events.join('; ')}; ${workers.length} worker processes\n`);

  expect(result.status).toBe('succeeded');
  expect(counts.succeeded).toBe(TENANTS);
  expect(exactlyOnceProblems(sim.dump(), plan)).toEqual([]);
  expect(figures.lostAnswers).toBeGreaterThan(0);
  expect(figures.storm429).toBeGreaterThanOrEqual(5);
  expect(figures.down503).toBeGreaterThan(0);

  const secrets = [...simulatorSecrets(sim), ...(await issuedBearerTokens(sim))];
  const scan = await secretLeaks(client, taskQueue, secrets, workers.flatMap((w) => w.logs));
  process.stdout.write(`[figures] chaos secrets: ${secrets.length} values against ${scan.histories} histories (${scan.events} events) and ${scan.logLines} log lines: ${scan.leaks.length} leaks\n`);
  expect(scan.histories).toBeGreaterThan(TENANTS);
  expect(scan.leaks).toEqual([]);
});
