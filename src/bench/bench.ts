/**
 * The benchmark: runs the chosen scenarios one after another (each on a fresh stack) and writes the results.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchArgs, ScenarioName } from './args';
import { buildWorkflowBundle } from './bundle';
import type { BenchContext } from './context';
import { runThroughput, type ThroughputResult } from './throughput';
import { summariseProfiles, type ProfileSummary } from './profile';
import { renderMarkdown } from './report';
import type { LatencyResult } from './latency';
import { runLatency } from './latency';
import { runSync, type SyncResult } from './sync';
import type { TemporalTarget } from './stack';

export interface BenchResults {
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  args: BenchArgs;
  throughput?: ThroughputResult;
  latency?: LatencyResult;
  scale?: ThroughputResult;
  sync?: SyncResult;
  profiles?: ProfileSummary[];
  errors: Partial<Record<ScenarioName, string>>;
}

export const DEFAULT_TENANTS: Record<ScenarioName, number> = { throughput: 1_000, latency: 200, scale: 10_000, sync: 100 };

/**
 * Tenants in flight in throughput/scale by default. 1,000 at once measured worse on 2 cores: more in flight than the
 * sticky cache holds means replays (the rollout's long history above all), and the worker's RSS went past 1.4 GB.
 */
export const THROUGHPUT_IN_FLIGHT = 250;

export interface RunBenchOptions {
  temporal?: TemporalTarget;
  bundlePath?: string;
  log?: (line: string) => void;
  /** Called after each scenario with the results so far (main writes them, so a long run interrupted keeps them). */
  onProgress?: (results: BenchResults) => void;
}

export async function runBench(args: BenchArgs, options: RunBenchOptions = {}): Promise<BenchResults> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const profileDir = args.profile ? fs.mkdtempSync(path.join(os.tmpdir(), 'qlik-bench-prof-')) : undefined;
  const ctx: BenchContext = {
    temporal: options.temporal ?? { suggestContinueAsNewAt: undefined, dynamicConfig: args.serverConfig },
    bundlePath: options.bundlePath ?? (await buildWorkflowBundle()),
    profileDir,
    log,
    worker: { cachedWorkflows: args.cachedWorkflows, coalesceWrites: args.coalesceWrites, heapMiB: args.workerHeapMiB },
  };
  const results: BenchResults = { startedAt: new Date().toISOString(), machine: machine(), args, errors: {} };
  const tenantsFor = (name: ScenarioName) => args.tenants ?? (name === 'scale' ? args.scaleTenants : DEFAULT_TENANTS[name]);
  const inFlight = (tenants: number, preferred = tenants) => Math.min(args.concurrency ?? preferred, tenants, 1_000);
  for (const name of args.only) {
    ctx.profileDir = profileDir ? path.join(profileDir, name) : undefined;
    try {
      const tenants = tenantsFor(name);
      if (name === 'throughput') results.throughput = await runThroughput(ctx, { tenants, concurrency: inFlight(tenants, THROUGHPUT_IN_FLIGHT), timeLimitMs: args.timeLimitMinutes * 60_000 });
      if (name === 'scale') results.scale = await runThroughput(ctx, { tenants, concurrency: inFlight(tenants, THROUGHPUT_IN_FLIGHT), label: 'scale', timeLimitMs: args.timeLimitMinutes * 60_000 });
      if (name === 'latency') results.latency = await runLatency(ctx, { tenants, concurrency: inFlight(tenants), baselineTenants: args.baselineTenants });
      if (name === 'sync') results.sync = await runSync(ctx, { tenants });
    } catch (err) {
      results.errors[name] = (err as Error).message;
      log(`  ${name} failed: ${(err as Error).message}`);
    }
    options.onProgress?.(results);
  }
  if (profileDir) results.profiles = summariseProfiles(profileDir);
  return results;
}

export function writeResults(results: BenchResults, outDir: string): { json: string; markdown: string; text: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, 'latest.json');
  const markdown = path.join(outDir, 'latest.md');
  const text = renderMarkdown(results);
  fs.writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(markdown, text);
  return { json, markdown, text };
}

function machine(): BenchResults['machine'] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}
