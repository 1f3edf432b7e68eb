/** For CLI test files: a simulator, a worker with the real activities on its own task queue, and CLI env. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { closeAllPools, createActivities } from '../../src/activities';
import { createLogger } from '../../src/shared/logger';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';
import { connectTestTemporal, createTestWorker, type TestTemporal, uniqueTaskQueue } from '../helpers/temporal';
import { cliEnv } from './run-cli';

export interface CliSimStack {
  sim: Simulator;
  /** Folder for plan files and the simulator's secrets; removed after the file's tests. */
  dir: string;
  /** The CLI's environment: the run's dev server and this file's task queue. */
  env(): Record<string, string>;
}

/** Registers beforeAll/afterAll hooks; the returned stack is filled in before the first test. */
export function useCliSimStack(prefix: string, options: Omit<SimulatorOptions, 'secretsDir'>): CliSimStack {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const taskQueue = uniqueTaskQueue(prefix);
  const stack = { dir, env: () => cliEnv({ QLIK_ROLLOUT_TASK_QUEUE: taskQueue }) } as CliSimStack;
  let t: TestTemporal;
  let worker: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    t = await connectTestTemporal();
    fs.mkdirSync(path.join(dir, 'secrets'));
    stack.sim = await startSimulator({ ...options, secretsDir: path.join(dir, 'secrets') });
    worker = await createTestWorker(t, { taskQueue, activities: createActivities({ logger: createLogger({ level: 'silent' }), pollIntervalMs: 100 }) });
    running = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await stack.sim.stop();
    await closeAllPools();
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return stack;
}
