/**
 * Throughput: N tenants (default 1,000) all in flight at once, no simulated latency, no rate limits. Measures how
 * fast the engine itself (worker, Temporal server, simulator) moves tenants through the five setup phases.
 */
import { round, startScenarioStack, type BenchContext } from './context';
import { type CpuSpent, cpuSpent } from './cpu';
import type { PeakMemory } from './stack';
import { benchPlan, BENCH_APPS, MANAGED_SPACE, runRollout, type HistoryStats } from './rollout-run';
import type { RequestStats } from './sim-child';
import type { VerifyResult } from './verify';
import type { WorkerStats } from './worker-child';

export interface ThroughputOptions {
  tenants: number;
  /** Tenants in flight at once (the wave's concurrency; the plan schema caps it at 1,000). */
  concurrency: number;
  /** Force continue-as-new after this many tenant starts (default: the workflow's own). */
  tenantsPerRun?: number;
  label?: string;
  /** Stop waiting after this long and report how far it got. */
  timeLimitMs?: number;
}

export interface ThroughputResult {
  tenants: number;
  concurrency: number;
  status: string;
  /** False when the time limit stopped the run; then `succeeded` says how far it got. */
  completed: boolean;
  succeeded: number;
  wallSeconds: number;
  tenantsPerSecond: number;
  activities: number;
  activitiesPerSecond: number;
  activityFailures: number;
  qlikCalls: number;
  simulatorRequests: RequestStats;
  tenantHistoryEvents: HistoryStats;
  rolloutRuns: number;
  rolloutHistoryPerRun: number[];
  memory: PeakMemory;
  /** CPU per process during the rollout (before verification and history sampling). */
  cpu: CpuSpent;
  verified: VerifyResult;
}

export async function runThroughput(ctx: BenchContext, options: ThroughputOptions): Promise<ThroughputResult> {
  ctx.log(`${options.label ?? 'throughput'}: ${options.tenants} tenants, ${options.concurrency} in flight, no latency`);
  // The production default of 50 activity slots: without latency, more only holds more QRS payloads in memory.
  const stack = await startScenarioStack(ctx, { tenants: options.tenants, seed: 8, distributionDelayMs: 0, rateLimits: false }, 50, 100);
  try {
    const plan = benchPlan(stack.sim.info, { tenantCount: options.tenants, concurrency: options.concurrency, sync: false });
    const cpuBefore = stack.cpu();
    const run = await stack.guard(runRollout(stack.client, stack.taskQueue, plan, { log: ctx.log, progressNote: stack.memoryNote, tenantsPerRun: options.tenantsPerRun, timeLimitMs: options.timeLimitMs }));
    const succeeded = run.completed ? options.tenants : run.result.tenants.filter((t) => t.status === 'succeeded').length;
    const cpu = cpuSpent(cpuBefore, stack.cpu(), run.wallMs, succeeded);
    const stats = await stack.workerStats();
    const verifiedTenants = run.completed ? plan.tenants.map((t) => t.name) : run.result.tenants.filter((t) => t.status === 'succeeded').map((t) => t.tenant);
    const verified = await stack.sim.call<VerifyResult>('verify', { tenants: verifiedTenants, apps: BENCH_APPS, managedSpace: MANAGED_SPACE });
    const simulatorRequests = await stack.sim.call<RequestStats>('requestStats');
    const memory = await stack.stop();
    const activities = totalActivities(stats);
    const seconds = run.wallMs / 1000;
    const result: ThroughputResult = {
      tenants: options.tenants,
      concurrency: plan.waves[0].concurrency,
      status: run.completed ? run.result.status : `stopped by the time limit (${run.result.status})`,
      completed: run.completed,
      succeeded,
      wallSeconds: round(seconds),
      tenantsPerSecond: round(succeeded / seconds),
      activities,
      activitiesPerSecond: round(activities / seconds),
      activityFailures: stats.activityFailures,
      qlikCalls: stats.qlikCalls.total,
      simulatorRequests,
      tenantHistoryEvents: run.tenantHistory,
      rolloutRuns: run.rolloutRuns.length,
      rolloutHistoryPerRun: run.rolloutRuns,
      memory,
      cpu,
      verified,
    };
    ctx.log(`  ${result.status} in ${result.wallSeconds} s: ${result.tenantsPerSecond} tenants/s, ${result.activitiesPerSecond} activities/s, verified ${verified.ok}/${verified.checked}, worker peak ${memory.worker?.peakRssMiB} MiB`);
    return result;
  } finally {
    await stack.stop();
  }
}

export function totalActivities(stats: WorkerStats): number {
  return Object.values(stats.activities).reduce((a, b) => a + b, 0);
}
