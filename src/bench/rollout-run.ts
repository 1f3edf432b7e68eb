/**
 * One benchmarked rollout: a plan for the simulator's tenants (one wave, the two distributable seeded apps), the
 * rollout workflow started through the client, its result, and what it cost in history.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { simulatorPlanFile } from '../plan/simulator-plan';
import { planFromObject } from '../plan/load';
import { meanTimeline, tenantTimeline, type TenantTimeline } from './timeline';
import type { RolloutPlan } from '../plan/types';
import type { rolloutWorkflow } from '../workflows';
import { rolloutSummary } from '../workflows/details';
import { progressQuery, workflowIds, type RolloutOptions, type RolloutProgress } from '../workflows/messages';
import type { SimChildInfo } from './sim-child';

/** The seeded apps that pass verification (the others exist to exercise failures). */
export const BENCH_APPS = ['Sales Analytics', 'Operations Overview'];
export const MANAGED_SPACE = '{name} Analytics';

export interface BenchPlanOptions {
  /** Only these tenants (by position in the simulator) are in the plan. */
  tenantCount: number;
  concurrency: number;
  sync: boolean;
  pollInterval?: string;
  /** Plan source.qrs.connections (default: the client's). */
  qseowConnections?: number;
}

export function benchPlan(sim: SimChildInfo, options: BenchPlanOptions): RolloutPlan {
  const source = { ...sim, tenants: sim.tenants.slice(0, options.tenantCount).map((t) => ({ ...t, tenantId: '' })) };
  const file = simulatorPlanFile(source, { name: 'bench', concurrency: Math.min(options.concurrency, 1000), pollInterval: options.pollInterval });
  file.apps = file.apps.filter((app) => BENCH_APPS.includes(app.name));
  file.waves = [{ name: 'all', tenants: ['*'] }];
  file.failureBudget = { perWave: 0, overall: 0 };
  file.sync = { enabled: options.sync, pollInterval: options.pollInterval ?? '1s' };
  file.tenantDefaults = { managedSpace: MANAGED_SPACE };
  if (options.qseowConnections) file.source.qrs.connections = options.qseowConnections;
  return planFromObject(file, 'bench plan');
}

export interface HistoryStats {
  /** History events of each sampled workflow. */
  samples: number;
  mean: number;
  min: number;
  max: number;
  /** Where the sampled tenants' time went (means). */
  timeline?: TenantTimeline;
}

export interface RolloutRun {
  rolloutId: string;
  wallMs: number;
  /** False when the time limit ended the run first. */
  completed: boolean;
  result: RolloutProgress;
  /** History length of each run of the rollout workflow (one entry per continue-as-new run). */
  rolloutRuns: number[];
  tenantHistory: HistoryStats;
}

const PROGRESS_EVERY_MS = 15_000;

export interface RunRolloutOptions extends RolloutOptions {
  historySamples?: number;
  /** Progress lines while the rollout runs (every 15 s). */
  log?: (line: string) => void;
  /** Appended to each progress line (e.g. memory). */
  progressNote?: () => string;
  /** Give up after this long: the result is the progress reached, `completed` false. */
  timeLimitMs?: number;
}

export async function runRollout(client: Client, taskQueue: string, plan: RolloutPlan, options: RunRolloutOptions = {}): Promise<RolloutRun> {
  const { historySamples = 50, log = () => undefined, progressNote, timeLimitMs, ...rolloutOptions } = options;
  const rolloutId = `bench-${Date.now().toString(36)}`;
  const started = Date.now();
  const handle = await client.workflow.start<typeof rolloutWorkflow>('rolloutWorkflow', {
    taskQueue, workflowId: workflowIds.rollout(rolloutId), args: [{ rolloutId, plan, options: rolloutOptions }],
    staticSummary: `${rolloutSummary({ ...plan, name: rolloutId })} (npm run bench)`,
  });
  const ticker = setInterval(() => {
    void handle.query(progressQuery).then((p) => {
      const counts = p.waves.reduce<Record<string, number>>((all, w) => {
        for (const [status, n] of Object.entries(w.counts)) all[status] = (all[status] ?? 0) + n;
        return all;
      }, {});
      log(`  ${Math.round((Date.now() - started) / 1000)} s: ${Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ')} (run ${p.run})${progressNote ? `; ${progressNote()}` : ''}`);
    }, () => undefined);
  }, PROGRESS_EVERY_MS);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => { if (timeLimitMs) timer = setTimeout(() => resolve(undefined), timeLimitMs); });
  const finished = await Promise.race([handle.result(), timedOut]).finally(() => { clearInterval(ticker); clearTimeout(timer); });
  const wallMs = Date.now() - started;
  let result: RolloutProgress;
  if (finished) {
    result = finished;
  } else {
    // Out of time: keep what it reached, then stop it (terminating the rollout; tenants in flight are left running).
    result = await handle.query(progressQuery);
    await handle.terminate(`bench time limit of ${Math.round((timeLimitMs ?? 0) / 1000)} s reached`);
  }
  const rolloutRuns = await runHistoryLengths(client, handle.workflowId, handle.firstExecutionRunId);
  const succeeded = finished ? plan.tenants.map((t) => t.name) : result.tenants.filter((t) => t.status === 'succeeded').map((t) => t.tenant);
  const sample = spread(succeeded, historySamples);
  const tenantHistory = await historyStats(client, sample.map((tenant) => workflowIds.tenant(rolloutId, tenant)), started);
  return { rolloutId, wallMs, completed: Boolean(finished), result, rolloutRuns, tenantHistory };
}

/** Follows the continue-as-new chain from the first run, counting each run's events. */
async function runHistoryLengths(client: Client, workflowId: string, firstRunId: string): Promise<number[]> {
  const lengths: number[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    lengths.push(events.length);
    runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return lengths;
}

export async function historyStats(client: Client, workflowIdsToRead: string[], rolloutStartedMs?: number): Promise<HistoryStats> {
  const counts: number[] = [];
  const timelines: TenantTimeline[] = [];
  for (const id of workflowIdsToRead) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    counts.push(events.length);
    const timeline = rolloutStartedMs === undefined ? undefined : tenantTimeline(events, rolloutStartedMs);
    if (timeline) timelines.push(timeline);
  }
  if (counts.length === 0) return { samples: 0, mean: 0, min: 0, max: 0 };
  return {
    samples: counts.length, mean: Math.round((counts.reduce((a, b) => a + b, 0) / counts.length) * 10) / 10, min: Math.min(...counts), max: Math.max(...counts),
    timeline: meanTimeline(timelines),
  };
}

/** Up to `n` items spread evenly over the list (first and last included). */
export function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / Math.max(n - 1, 1))]);
}
