/**
 * The production worker process: `node dist/worker/main.js` (Docker CMD) or `qlik-rollout worker` (CLI).
 *
 * - Connects by Temporal's own conventions (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 *   TEMPORAL_TLS_*, TEMPORAL_PROFILE + config file), read by @temporalio/envconfig, so it works with a dev
 *   server, a self-hosted cluster or Temporal Cloud without code changes.
 * - Serves Prometheus metrics: the SDK runtime's (Core's exporter) merged with the project's (prom-client).
 * - Loads the workflow bundle prebuilt at build time (`npm run build:bundle`) and falls back to bundling the
 *   workflow sources at start in development.
 * - Drains on SIGTERM/SIGINT: stops polling, lets running activities finish within the grace time, exits 0.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DefaultLogger, NativeConnection, Runtime, type LogEntry, type Worker } from '@temporalio/worker';
import { z } from 'zod';
import { closeAllPools, createActivities, onQlikCall } from '../activities';
import { createLogger, type Logger } from '../shared/logger';
import { TASK_QUEUE } from '../workflows/messages';
import { RolloutMetrics } from './metrics';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { startVisibilityCounts } from './metrics-visibility';
import { createWorker, DEFAULT_WORKFLOWS_PATH } from './worker';
import { dataConverter } from '../shared/payload-codec';
import { connectTemporalClient } from '../shared/temporal-connection';

/** Default location of the prebuilt bundle: dist/workflow-bundle.js next to dist/worker/main.js. */
export const DEFAULT_WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '..', 'workflow-bundle.js');

const optionalInt = z.coerce.number().int().nonnegative().optional();

/** The worker's own settings (connection settings are Temporal's and read by envconfig). */
export const WorkerEnvSchema = z.object({
  QLIK_ROLLOUT_TASK_QUEUE: z.string().min(1).default(TASK_QUEUE),
  METRICS_BIND_ADDRESS: z.string().regex(/^.*:\d+$/, 'host:port, e.g. 0.0.0.0:9464').default('0.0.0.0:9464'),
  /** Core's exporter; internal to the container, its text is merged into METRICS_BIND_ADDRESS's /metrics. */
  SDK_METRICS_BIND_ADDRESS: z.string().regex(/^.*:\d+$/, 'host:port, e.g. 127.0.0.1:9465').default('127.0.0.1:9465'),
  /** 0 disables the visibility counts (e.g. on all but one worker replica). */
  METRICS_VISIBILITY_INTERVAL_MS: z.coerce.number().int().nonnegative().default(30_000),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  /** Docker/Kubernetes secret file holding the Temporal Cloud API key, when TEMPORAL_API_KEY is not set. */
  TEMPORAL_API_KEY_FILE: z.string().optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: optionalInt,
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: optionalInt,
  WORKER_MAX_CACHED_WORKFLOWS: optionalInt,
  /** Server-enforced across every worker of the task queue: protects Qlik from the whole fleet at once. */
  WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND: z.coerce.number().positive().optional(),
  /** How long running activities may finish after SIGTERM before they are cancelled. */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(30_000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});
export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;

export interface WorkerProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Activity implementations to register; default: the phase activities of src/activities. */
  activities?: object;
  logger?: Logger;
  /** Install SIGTERM/SIGINT handlers that drain the worker (default true). */
  handleSignals?: boolean;
}

export interface WorkerProcess {
  worker: Worker;
  taskQueue: string;
  namespace: string;
  metricsUrl: string;
  /** Starts a graceful shutdown (same as SIGTERM). */
  shutdown(): void;
  /** Resolves when the worker has drained and every resource is closed. */
  finished: Promise<void>;
}

export function parseWorkerEnv(env: NodeJS.ProcessEnv): WorkerEnv {
  const parsed = WorkerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid worker configuration in the environment: ${problems}`);
  }
  return parsed.data;
}

/** Drops unset keys, so they do not override defaults when spread (env vars, createWorker's tuning). */
function withoutUndefined<T>(record: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, T] => entry[1] !== undefined));
}

/** Temporal connection settings from the environment / profile file; the API key may come from a secret file. */
export function temporalConnectConfig(env: NodeJS.ProcessEnv, settings: Pick<WorkerEnv, 'TEMPORAL_API_KEY_FILE'>) {
  const vars = withoutUndefined(env);
  if (!vars.TEMPORAL_API_KEY && settings.TEMPORAL_API_KEY_FILE) {
    try {
      vars.TEMPORAL_API_KEY = fs.readFileSync(settings.TEMPORAL_API_KEY_FILE, 'utf8').trim();
    } catch (err) {
      throw new Error(`TEMPORAL_API_KEY_FILE=${settings.TEMPORAL_API_KEY_FILE} cannot be read (${(err as NodeJS.ErrnoException).code}): mount the Temporal API key secret there or unset the variable`);
    }
  }
  const config = loadClientConnectConfig({ profile: vars.TEMPORAL_PROFILE, overrideEnvVars: vars });
  return {
    namespace: config.namespace ?? 'default',
    connectionOptions: { ...config.connectionOptions, address: config.connectionOptions.address ?? 'localhost:7233' },
  };
}

/**
 * Installs the SDK runtime once per process: Core's logs into pino, Core's metrics on a Prometheus port.
 * Returns the URL of Core's exporter, or undefined when a runtime was already installed (e.g. in a test).
 */
function installRuntime(bindAddress: string, logger: Logger): string | undefined {
  const forward = (entry: LogEntry) => {
    const level = entry.level === 'TRACE' ? 'trace' : (entry.level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
    logger[level]({ ...entry.meta, source: 'temporal-sdk' }, entry.message);
  };
  try {
    Runtime.install({
      logger: new DefaultLogger('INFO', forward),
      // We handle signals ourselves, to log them and to drain in a known order.
      shutdownSignals: [],
      telemetryOptions: { metrics: { prometheus: { bindAddress } } },
    });
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'SDK runtime already installed: SDK metrics are not exported by this process');
    return undefined;
  }
  return `http://${bindAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}/metrics`;
}

/** True when a workflow file was compiled after the bundle was made (`npm run build` without `build:bundle`). */
export function bundleIsStale(bundlePath: string, workflowsDir: string): boolean {
  const bundled = fs.statSync(bundlePath).mtimeMs;
  return fs.readdirSync(workflowsDir).some((file) => fs.statSync(path.join(workflowsDir, file)).mtimeMs > bundled);
}

function workflowSource(settings: WorkerEnv, logger: Logger) {
  if (settings.WORKFLOW_BUNDLE_PATH) {
    // An explicit bundle is trusted as given (the image, tests).
    if (!fs.existsSync(settings.WORKFLOW_BUNDLE_PATH)) throw new Error(`WORKFLOW_BUNDLE_PATH=${settings.WORKFLOW_BUNDLE_PATH} does not exist: run \`npm run build:bundle\``);
    logger.info({ bundlePath: settings.WORKFLOW_BUNDLE_PATH }, 'loading prebuilt workflow bundle');
    return { workflowBundle: { codePath: settings.WORKFLOW_BUNDLE_PATH } };
  }
  const bundlePath = DEFAULT_WORKFLOW_BUNDLE_PATH;
  if (fs.existsSync(bundlePath) && !bundleIsStale(bundlePath, path.dirname(DEFAULT_WORKFLOWS_PATH))) {
    logger.info({ bundlePath }, 'loading prebuilt workflow bundle');
    return { workflowBundle: { codePath: bundlePath } };
  }
  // A stale bundle would run old workflow code against new activities: bundle the current sources instead.
  logger.info({ stale: fs.existsSync(bundlePath) }, 'no current prebuilt workflow bundle: bundling workflow sources at start');
  return { workflowsPath: DEFAULT_WORKFLOWS_PATH };
}

export async function runWorkerProcess(options: WorkerProcessOptions = {}): Promise<WorkerProcess> {
  const env = options.env ?? process.env;
  const settings = parseWorkerEnv(env);
  const logger = options.logger ?? createLogger({ level: settings.LOG_LEVEL, name: 'qlik-rollout-worker' });
  const sdkMetricsUrl = installRuntime(settings.SDK_METRICS_BIND_ADDRESS, logger);
  const { namespace, connectionOptions } = temporalConnectConfig(env, settings);
  const taskQueue = settings.QLIK_ROLLOUT_TASK_QUEUE;
  const metrics = new RolloutMetrics();
  const stopQlikCallMetrics = onQlikCall(metrics.recordQlikCall);
  const activities = options.activities ?? createActivities({ logger });

  let nativeConnection: NativeConnection;
  let clientConnection: Connection;
  try {
    nativeConnection = await NativeConnection.connect(connectionOptions);
    clientConnection = await connectTemporalClient(connectionOptions);
  } catch (err) {
    stopQlikCallMetrics();
    throw new Error(
      `cannot reach Temporal at ${connectionOptions.address} (namespace ${namespace}): ${(err as Error).message}. ` +
        'Check TEMPORAL_ADDRESS, and TEMPORAL_API_KEY(_FILE) or TEMPORAL_TLS_* for Temporal Cloud.',
    );
  }
  const client = new Client({ connection: clientConnection, namespace, dataConverter });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    activities,
    ...workflowSource(settings, logger),
    tuning: withoutUndefined({
      maxConcurrentActivityTaskExecutions: settings.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskExecutions: settings.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: settings.WORKER_MAX_CACHED_WORKFLOWS,
      maxTaskQueueActivitiesPerSecond: settings.WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND,
      shutdownGraceTimeMs: settings.WORKER_SHUTDOWN_GRACE_MS,
    }),
    extra: {
      interceptors: { activity: [metrics.activityInterceptor] },
      identity: `qlik-rollout-worker@${os.hostname()}-${process.pid}`,
    },
  });

  let metricsServer: MetricsServer;
  try {
    metricsServer = await startMetricsServer({
      metrics, bindAddress: settings.METRICS_BIND_ADDRESS, sdkMetricsUrl, logger, healthy: () => worker.getState() === 'RUNNING',
    });
  } catch (err) {
    await Promise.all([nativeConnection.close(), clientConnection.close()]);
    throw err;
  }
  const stopVisibilityCounts = settings.METRICS_VISIBILITY_INTERVAL_MS > 0
    ? startVisibilityCounts({ client, metrics, logger, intervalMs: settings.METRICS_VISIBILITY_INTERVAL_MS })
    : async () => undefined;

  const shutdown = () => {
    if (worker.getState() !== 'RUNNING') return;
    logger.info({ graceMs: settings.WORKER_SHUTDOWN_GRACE_MS }, 'shutting down: no new tasks, draining running ones');
    worker.shutdown();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'signal received');
    shutdown();
  };
  if (options.handleSignals ?? true) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  logger.info({ address: connectionOptions.address, namespace, taskQueue, metricsUrl: `${metricsServer.url}/metrics` }, 'worker started');
  const finished = worker.run().finally(async () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    stopQlikCallMetrics();
    await stopVisibilityCounts();
    await metricsServer.close();
    await Promise.all([nativeConnection.close(), clientConnection.close(), closeAllPools()]);
    logger.info('worker stopped');
  });
  return { worker, taskQueue, namespace, metricsUrl: `${metricsServer.url}/metrics`, shutdown, finished };
}

if (require.main === module) {
  runWorkerProcess()
    .then((handle) => handle.finished)
    .then(
      () => process.exit(0),
      (err: Error) => {
        // A person reads this in `docker compose logs`: say what failed, not just a stack.
        process.stderr.write(`qlik-rollout worker failed: ${err.message}\n`);
        process.exit(1);
      },
    );
}
