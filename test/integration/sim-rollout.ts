/** Integration helpers: the real simulator (sockets), the real activities, a worker on the real dev server. */
import type { Worker } from '@temporalio/worker';
import { closeAllPools, createActivities } from '../../src/activities';
import type { RolloutPlan, WaveSpec } from '../../src/plan/types';
import { createLogger } from '../../src/shared/logger';
import { startSimulator } from '../../src/simulator';
import type { Simulator, SimulatorOptions } from '../../src/simulator/api';
import { createWorker } from '../../src/worker/worker';
import type { RolloutOptions } from '../../src/workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

export async function startSim(options: Partial<SimulatorOptions> & { tenants: number }): Promise<Simulator> {
  return startSimulator({ seed: 11, distributionDelayMs: 30, rateLimits: false, ...options });
}

/** A plan for the simulator's tenants split into waves of the given sizes (tenants in the simulator's order). */
export function simPlan(sim: Simulator, waves: Array<Partial<WaveSpec> & { name: string; size: number }>, overrides: Partial<RolloutPlan> = {}): RolloutPlan {
  let next = 0;
  const apps = sim.seededApps.filter((a) => a.published).slice(0, 2).map((a) => ({ name: a.name, stream: a.stream }));
  return {
    name: 'integration',
    source: { qrsUrl: sim.qrsUrl, deploymentsUrl: sim.deploymentsUrl, auth: { type: 'jwt', token: sim.qrsTokenRef }, user: { directory: 'INTERNAL', id: 'sa_api' }, rejectUnauthorized: true },
    apps,
    policy: { name: `qlik-rollout integration ${sim.port}`, customProperty: 'Deployments', stream: apps[0].stream },
    limits: { maxAppSizeBytes: 5 * 1024 ** 3 },
    tenantDefaults: { managedSpace: '{name} Analytics' },
    tenants: sim.tenants.map((t) => ({ name: t.name, url: t.url, auth: { type: 'apiKey', key: t.apiKeyRef } })),
    waves: waves.map(({ size, ...w }) => ({ concurrency: 2, soakMs: 0, approval: false, failureBudget: 0, ...w, tenants: sim.tenants.slice(next, (next += size)).map((t) => t.name) })),
    failureBudget: 100,
    sync: { enabled: false, pollIntervalMs: 50 },
    ...overrides,
  };
}

/** Short retries so a failing tenant reaches waiting-for-action in about a second. */
export const FAST: RolloutOptions = { activityRetry: { initialIntervalMs: 100, maximumIntervalMs: 200, maximumAttempts: 3 }, abortGraceMs: 15_000 };

export async function simWorker(t: TestTemporal): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = uniqueTaskQueue('integration');
  const activities = createActivities({ pollIntervalMs: 25, arrivalTimeoutMs: 20_000, logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }) });
  const worker = await createWorker({ connection: t.nativeConnection, namespace: t.state.namespace, taskQueue, activities, workflowBundle: { codePath: t.state.bundlePath } });
  return { worker, taskQueue };
}

/**
 * For a whole test file: a Temporal connection and one worker running the real activities, started before the
 * first test and drained after the last. `onReady` hands them to the file's variables.
 */
export function useSimWorker(onReady: (ready: { t: TestTemporal; taskQueue: string }) => void): void {
  let t: TestTemporal;
  let worker: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    t = await connectTestTemporal();
    let taskQueue: string;
    ({ worker, taskQueue } = await simWorker(t));
    running = worker.run();
    onReady({ t, taskQueue });
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await closeAllPools();
    await t.close();
  });
}

export async function closeSim(sim: Simulator | undefined): Promise<void> {
  await closeAllPools();
  await sim?.stop();
}
