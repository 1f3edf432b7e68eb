/**
 * Starts the production worker entry (src/worker/main.ts) as a child process, as Docker would, against the test
 * run's real Temporal dev server, and reads its pino log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../src/devserver/free-port';
import type { TestRunState } from '../helpers/state';

const ROOT = path.resolve(__dirname, '..', '..');

export interface WorkerChild {
  child: ChildProcess;
  metricsUrl: string;
  logs: Array<Record<string, unknown>>;
  /** SIGTERM, then the exit code (SIGKILL after timeoutMs). */
  stop(timeoutMs?: number): Promise<number | null>;
}

export async function startWorkerChild(state: TestRunState, env: Record<string, string>): Promise<WorkerChild> {
  const sdkPort = await freePort();
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'src', 'worker', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: state.address,
      TEMPORAL_NAMESPACE: state.namespace,
      METRICS_BIND_ADDRESS: '127.0.0.1:0',
      SDK_METRICS_BIND_ADDRESS: `127.0.0.1:${sdkPort}`,
      // The bundle global setup built: the same code path as the image's dist/workflow-bundle.js.
      WORKFLOW_BUNDLE_PATH: state.bundlePath,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'worker started') resolve(String(entry.metricsUrl));
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => reject(new Error(`worker exited with ${code} before it started: ${stderr}`)));
    setTimeout(() => reject(new Error(`worker did not start within 60 s: ${stderr}`)), 60_000).unref();
  });
  let metricsUrl: string;
  try {
    metricsUrl = await started;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    child,
    metricsUrl,
    logs,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
