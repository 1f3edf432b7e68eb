/**
 * What one bench scenario runs on: a fresh Temporal dev server (or the one a test already runs), the simulator and
 * the worker as child processes, and a client in this process. Fresh per scenario, so peak memory is per scenario.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { startDevServer, type DevServer } from '../devserver/dev-server';
import type { SimulatorOptions } from '../simulator/api';
import type { SimulatorTuning } from '../simulator';
import { type CpuSnapshot, processCpuSeconds } from './cpu';
import { processMemory, type ProcessMemory } from './memory';
import { connectChild, forkSibling, type ChildHandle } from './rpc';
import type { SimChildInfo } from './sim-child';
import type { WorkerChildSettings, WorkerStats } from './worker-child';
import { dataConverter } from '../shared/payload-codec';
import { connectTemporalClient } from '../shared/temporal-connection';

export interface TemporalTarget {
  /** Use a running server (tests); otherwise a fresh dev server is started for the scenario. */
  address?: string;
  namespace?: string;
  /** Pid of that running server, to read its memory. */
  pid?: number;
  /** Continue-as-new suggestion threshold for a fresh server (events). */
  suggestContinueAsNewAt?: number;
  /** Further dynamic config of a fresh dev server (bench `--server-config`). */
  dynamicConfig?: Record<string, unknown>;
}

export interface StackOptions {
  temporal: TemporalTarget;
  bundlePath: string;
  simulator: SimulatorOptions & SimulatorTuning;
  worker: Omit<WorkerChildSettings, 'address' | 'namespace' | 'taskQueue' | 'bundlePath'>;
  /** V8 old-space limit of the worker process (MiB); 0 = Node's default. */
  workerHeapMiB?: number;
  /** Directory for `node --cpu-prof` profiles of the worker and the simulator; none when absent. */
  profileDir?: string;
  log: (line: string) => void;
}

export interface PeakMemory {
  worker?: ProcessMemory;
  simulator?: ProcessMemory;
  server?: ProcessMemory;
}

export interface BenchStack {
  client: Client;
  taskQueue: string;
  sim: ChildHandle<SimChildInfo>;
  worker: ChildHandle<{ pid: number }>;
  workerStats(): Promise<WorkerStats>;
  /** `work`, unless the worker or the simulator dies first (then rejects at once instead of waiting forever). */
  guard<T>(work: Promise<T>): Promise<T>;
  memory(): PeakMemory;
  /** "worker 312 MiB, simulator 140 MiB, server 250 MiB" (current RSS), for progress lines. */
  memoryNote(): string;
  /** CPU seconds used so far by each process of the stack (take one before and one after a rollout). */
  cpu(): CpuSnapshot;
  stop(): Promise<PeakMemory>;
}

let queueCounter = 0;
/** Stacks not yet stopped, so a Ctrl-C of the bench stops their dev servers too (children stop on disconnect). */
const liveStacks = new Set<BenchStack>();

export async function stopAllStacks(): Promise<void> {
  await Promise.all([...liveStacks].map((stack) => stack.stop()));
}

export async function startStack(options: StackOptions): Promise<BenchStack> {
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => { while (closers.length) await closers.pop()!().catch(() => undefined); };
  try {
    let server: DevServer | undefined;
    if (!options.temporal.address) {
      server = await startDevServer({
        headless: true,
        dynamicConfig: {
          ...options.temporal.dynamicConfig,
          ...(options.temporal.suggestContinueAsNewAt ? { 'limit.historyCount.suggestContinueAsNew': options.temporal.suggestContinueAsNewAt } : {}),
        },
      });
      closers.push(() => server!.stop());
    }
    const address = options.temporal.address ?? server!.address;
    const namespace = options.temporal.namespace ?? server?.namespace ?? 'default';
    const serverPid = options.temporal.pid ?? server?.pid;
    const profile = (name: string) => (options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(options.profileDir, name)] : []);

    const secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qlik-bench-secrets-'));
    closers.push(async () => fs.rmSync(secretsDir, { recursive: true, force: true }));
    const sim = await connectChild<SimChildInfo>(
      forkSibling('sim-child', { env: { BENCH_SIM_OPTIONS: JSON.stringify({ ...options.simulator, secretsDir }) }, execArgv: profile('simulator') }),
      'simulator',
    );
    closers.push(() => sim.stop());

    const taskQueue = `bench-${process.pid}-${Date.now().toString(36)}-${queueCounter++}`;
    const settings: WorkerChildSettings = { address, namespace, taskQueue, bundlePath: options.bundlePath, ...options.worker };
    const worker = await connectChild<{ pid: number }>(
      forkSibling('worker-child', { env: { BENCH_WORKER: JSON.stringify(settings) }, execArgv: [...profile('worker'), ...(options.workerHeapMiB ? [`--max-old-space-size=${options.workerHeapMiB}`] : [])] }),
      'worker',
    );
    closers.push(() => worker.stop());

    const connection = await connectTemporalClient({ address });
    closers.push(() => connection.close());
    const client = new Client({ connection, namespace, dataConverter });
    const memory = (): PeakMemory => ({ worker: processMemory(worker.pid), simulator: processMemory(sim.pid), server: processMemory(serverPid) });
    options.log(`  stack: Temporal ${address}${server ? ` (dev server ${server.version}, pid ${server.pid})` : ''}, simulator pid ${sim.pid} (${sim.info.tenants.length} tenants), worker pid ${worker.pid}`);
    const stack: BenchStack = {
      client, taskQueue, sim, worker,
      workerStats: () => worker.call<WorkerStats>('stats'),
      guard: (work) => Promise.race([work, worker.crashed, sim.crashed]),
      memory,
      cpu: () => {
        const own = process.cpuUsage();
        return { server: processCpuSeconds(serverPid), worker: processCpuSeconds(worker.pid), simulator: processCpuSeconds(sim.pid), bench: (own.user + own.system) / 1e6 };
      },
      memoryNote: () => {
        const now = memory();
        return `RSS worker ${now.worker?.rssMiB ?? '?'} MiB, simulator ${now.simulator?.rssMiB ?? '?'} MiB, server ${now.server?.rssMiB ?? '?'} MiB`;
      },
      async stop() {
        // Read before stopping: VmHWM is gone with the process.
        const peak = memory();
        liveStacks.delete(stack);
        await closeAll();
        return peak;
      },
    };
    liveStacks.add(stack);
    return stack;
  } catch (err) {
    await closeAll();
    throw err;
  }
}
