/** The demo's in-process worker: real activities, logs to a file so the terminal stays readable. */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { DefaultLogger, NativeConnection, Runtime, type LogEntry } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { closeAllPools } from '../../qlik/pools';
import { createLogger, setLogger, type Logger } from '../../shared/logger';
import { createWorker } from '../../worker/worker';
import { DEFAULT_WORKFLOW_BUNDLE_PATH } from '../../worker/main';

export interface DemoWorker {
  logFile: string;
  stop(): Promise<void>;
}

/** Sends the SDK's own logs (warnings and errors only) to the demo log file; once per process. */
function installRuntime(logger: Logger): void {
  const forward = (entry: LogEntry) => logger[entry.level === 'ERROR' ? 'error' : 'warn']({ ...entry.meta, source: 'temporal-sdk' }, entry.message);
  try {
    Runtime.install({ logger: new DefaultLogger('WARN', forward), shutdownSignals: [] });
  } catch {
    // Installed already (a test, or a second demo in one process): keep it.
  }
}

export async function startDemoWorker(options: { address: string; namespace: string; taskQueue: string; dir: string }): Promise<DemoWorker> {
  const logFile = path.join(options.dir, 'worker.log');
  const logger = createLogger({ level: 'info', name: 'qlik-rollout-demo' }, pino.destination({ dest: logFile, sync: true }));
  setLogger(logger);
  installRuntime(logger);
  const connection = await NativeConnection.connect({ address: options.address });
  // The bundle `npm run build:bundle` prebuilds saves the demo ~15 s of webpack; without it, bundle now.
  const prebuilt = fs.existsSync(DEFAULT_WORKFLOW_BUNDLE_PATH) ? { workflowBundle: { codePath: DEFAULT_WORKFLOW_BUNDLE_PATH } } : {};
  const worker = await createWorker({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({ logger, pollIntervalMs: 250 }),
    ...prebuilt,
    tuning: { shutdownGraceTimeMs: 2_000 },
  });
  const running = worker.run();
  return {
    logFile,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch((err: Error) => logger.error({ err: err.message }, 'worker stopped with an error'));
      await connection.close();
      await closeAllPools();
    },
  };
}
