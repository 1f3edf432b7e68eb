/**
 * The worker in its own process, built exactly as production builds it (createWorker + createActivities), with
 * counters around the activities and the Qlik calls. Settings come as JSON in BENCH_WORKER.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { closeAllPools, createActivities, onQlikCall, type ActivityDeps } from '../activities';
import type { SyncAfterReloadInput } from '../activities/types';
import { createLogger } from '../shared/logger';
import { createWorker, type WorkerTuning } from '../worker/worker';
import { serveParent } from './rpc';

export interface WorkerChildSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  bundlePath: string;
  tuning: WorkerTuning;
  activityDeps: Pick<ActivityDeps, 'pollIntervalMs' | 'arrivalTimeoutMs' | 'coalesceWrites'>;
  /** Every activity returns at once without calling Qlik: the run then costs only what Temporal's orchestration does. */
  orchestrationOnly?: boolean;
}

export interface WorkerStats {
  /** Activity executions (attempts), by activity name. */
  activities: Record<string, number>;
  activityFailures: number;
  qlikCalls: { total: number; byOutcome: Record<string, number> };
  /** When each syncAfterReload finished (epoch ms), with its tenant and reload time: the sync lag comes from these. */
  syncs: Array<{ tenant: string; reloadTime: string; at: number }>;
}

/** Wraps every activity function to count its attempts and failures. */
function counted<T extends object>(activities: T, stats: WorkerStats): T {
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, async (...args: unknown[]) => {
    stats.activities[name] = (stats.activities[name] ?? 0) + 1;
    try {
      const result = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      if (name === 'syncAfterReload') {
        const input = args[0] as SyncAfterReloadInput;
        stats.syncs.push({ tenant: input.ctx.tenant.name, reloadTime: input.reloadTime, at: Date.now() });
      }
      return result;
    } catch (err) {
      stats.activityFailures += 1;
      throw err;
    }
  }])) as T;
}

/**
 * The same activity names, each answering at once with an empty result (the workflows only read `apps` of a first
 * publish). A measuring device for the bench's orchestration floor, never registered by the real worker.
 */
function answeringAtOnce<T extends object>(activities: T): T {
  return Object.fromEntries(Object.keys(activities).map((name) => [name, async () => ({ apps: [] })])) as T;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_WORKER ?? '{}') as WorkerChildSettings;
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const stats: WorkerStats = { activities: {}, activityFailures: 0, qlikCalls: { total: 0, byOutcome: {} }, syncs: [] };
  onQlikCall((event) => {
    stats.qlikCalls.total += 1;
    stats.qlikCalls.byOutcome[event.outcome] = (stats.qlikCalls.byOutcome[event.outcome] ?? 0) + 1;
  });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', name: 'bench-worker' });
  const connection = await NativeConnection.connect({ address: settings.address });
  const worker = await createWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    activities: counted(settings.orchestrationOnly ? answeringAtOnce(createActivities({ logger })) : createActivities({ logger, ...settings.activityDeps }), stats),
    workflowBundle: { codePath: settings.bundlePath },
    tuning: { shutdownGraceTimeMs: 1_000, ...settings.tuning },
  });
  const running = worker.run();
  serveParent({ pid: process.pid }, {
    stats: () => stats,
    resetStats: () => {
      stats.activities = {};
      stats.activityFailures = 0;
      stats.qlikCalls = { total: 0, byOutcome: {} };
      stats.syncs = [];
      return true;
    },
  }, async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await closeAllPools();
  });
}

main().catch((err: Error) => {
  process.stderr.write(`bench worker failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
