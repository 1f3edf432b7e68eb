/**
 * Realistic latency: every Qlik call takes 50-300 ms, Qlik Cloud's rate limits are on, distributions arrive after
 * 200 ms. N tenants (default 200) roll out at once; their wall time is compared with the latency model's lower
 * bound and with a sequential baseline (the same activities, one tenant after another) run on further tenants of
 * the same simulator in the same invocation and extrapolated per tenant.
 */
import type { FaultRule } from '../simulator/api';
import { DEFAULT_RATE_LIMITS } from '../simulator/cloud/rate-limit';
import { runSequentialBaseline, type BaselineResult } from './baseline';
import { round, startScenarioStack, type BenchContext } from './context';
import { latencyBound, type LatencyBound } from './model';
import type { TenantTimeline } from './timeline';
import { QSEOW_CONNECTIONS } from '../qlik/qrs/client';
import { benchPlan, BENCH_APPS, MANAGED_SPACE, runRollout } from './rollout-run';
import type { RequestStats } from './sim-child';
import { type CpuSpent, cpuSpent } from './cpu';
import type { PeakMemory } from './stack';
import { totalActivities } from './throughput';
import type { VerifyResult } from './verify';
import { runOrchestrationFloor, type FloorResult } from './floor';

export const LATENCY_MS = { min: 50, max: 300 };
export const DISTRIBUTION_DELAY_MS = 200;
export const REALISTIC_FAULTS: FaultRule[] = [{ host: '*', latencyMs: LATENCY_MS }];
const POLL_INTERVAL_MS = 100;

export interface LatencyOptions {
  tenants: number;
  concurrency: number;
  baselineTenants: number;
}

export interface LatencyResult {
  tenants: number;
  concurrency: number;
  status: string;
  wallSeconds: number;
  model: LatencyBound & { meanLatencyMs: number; distributionDelayMs: number; callsPerTenant: number; siteConnections: number };
  /** Wall time / the model's bound (1.0 = as fast as the latency model allows). */
  ratioToBound: number;
  /** Wall time / one tenant's critical path alone. */
  ratioToCriticalPath: number;
  baseline: BaselineResult & { measuredTenants: number; extrapolatedSeconds: number };
  /** Sequential baseline extrapolated to N tenants / the rollout's wall time. */
  speedupOverBaseline: number;
  tenantTimeline?: TenantTimeline;
  activities: number;
  activityFailures: number;
  simulatorRequests: RequestStats;
  memory: PeakMemory;
  /** CPU per process during the rollout (before the baseline). */
  cpu: CpuSpent;
  verified: VerifyResult;
  /** The same rollout with activities answering at once: Temporal's orchestration alone, against the same bound. */
  orchestrationFloor?: FloorResult & { ratioToBound: number };
}

export async function runLatency(ctx: BenchContext, options: LatencyOptions): Promise<LatencyResult> {
  ctx.log(`latency: ${options.tenants} tenants (${options.concurrency} in flight), ${LATENCY_MS.min}-${LATENCY_MS.max} ms per call, rate limits on; baseline on ${options.baselineTenants} more`);
  // Every tenant in flight waits on one call at a time: one activity slot each, so none queues for a slot.
  const stack = await startScenarioStack(ctx, { tenants: options.tenants + options.baselineTenants, seed: 9, distributionDelayMs: DISTRIBUTION_DELAY_MS, rateLimits: true, faults: REALISTIC_FAULTS }, options.concurrency + 50, POLL_INTERVAL_MS);
  try {
    const allTenants = options.tenants + options.baselineTenants;
    // One socket to the QSEoW site per tenant in flight, so the client side does not queue calls the model runs in parallel.
    const planOptions = { concurrency: options.concurrency, sync: false, qseowConnections: options.concurrency };
    const fullPlan = benchPlan(stack.sim.info, { ...planOptions, tenantCount: allTenants });
    const plan = benchPlan(stack.sim.info, { ...planOptions, tenantCount: options.tenants });
    const cpuBefore = stack.cpu();
    const run = await stack.guard(runRollout(stack.client, stack.taskQueue, plan, { log: ctx.log, progressNote: stack.memoryNote }));
    const cpu = cpuSpent(cpuBefore, stack.cpu(), run.wallMs, options.tenants);
    const stats = await stack.workerStats();
    const verified = await stack.sim.call<VerifyResult>('verify', { tenants: plan.tenants.map((t) => t.name), apps: BENCH_APPS, managedSpace: MANAGED_SPACE });
    const simulatorRequests = await stack.sim.call<RequestStats>('requestStats');
    ctx.log(`  rollout ${run.result.status} in ${round(run.wallMs / 1000)} s; sequential baseline on ${options.baselineTenants} tenants...`);

    const baselineNames = fullPlan.tenants.slice(options.tenants).map((t) => t.name);
    const baseline = await runSequentialBaseline(fullPlan, baselineNames, POLL_INTERVAL_MS);
    const memory = await stack.stop();

    const max = (pick: (t: BaselineResult['tenants'][number]) => number) => Math.max(0, ...baseline.tenants.map(pick));
    const meanLatencyMs = (LATENCY_MS.min + LATENCY_MS.max) / 2;
    const sharedObjects = 1 + plan.apps.length;
    const bound = latencyBound({
      tenants: options.tenants,
      meanLatencyMs,
      latencyRangeMs: LATENCY_MS,
      distributionDelayMs: DISTRIBUTION_DELAY_MS,
      callsPerTenant: baseline.meanCallsPerTenant,
      // Group commit lets one write carry every waiting tenant's value: then shared writes set no floor.
      sharedWritesPerObject: ctx.worker.coalesceWrites ? 0 : max((t) => t.sharedQrsWrites) / sharedObjects,
      cloudWritesPerTenant: max((t) => t.cloudWrites),
      cloudReadsPerTenant: max((t) => t.cloudReads),
      limits: { writePerMinute: DEFAULT_RATE_LIMITS.writePerMinute, readPerMinute: DEFAULT_RATE_LIMITS.readPerMinute },
      qseowCallsPerTenant: baseline.meanQseowCallsPerTenant,
      siteConnections: plan.source.connections ?? QSEOW_CONNECTIONS,
    });
    const floor = await runOrchestrationFloor(ctx, options.tenants, options.concurrency);
    const extrapolatedMs = baseline.meanMsPerTenant * options.tenants;
    const result: LatencyResult = {
      tenants: options.tenants,
      concurrency: plan.waves[0].concurrency,
      status: run.result.status,
      wallSeconds: round(run.wallMs / 1000),
      model: { ...bound, meanLatencyMs, distributionDelayMs: DISTRIBUTION_DELAY_MS, callsPerTenant: baseline.meanCallsPerTenant, siteConnections: plan.source.connections ?? QSEOW_CONNECTIONS },
      ratioToBound: round(run.wallMs / bound.boundMs, 2),
      ratioToCriticalPath: round(run.wallMs / bound.criticalPathMs, 2),
      baseline: { ...baseline, measuredTenants: baseline.tenants.length, extrapolatedSeconds: round(extrapolatedMs / 1000) },
      speedupOverBaseline: round(extrapolatedMs / run.wallMs, 1),
      tenantTimeline: run.tenantHistory.timeline,
      activities: totalActivities(stats),
      activityFailures: stats.activityFailures,
      simulatorRequests,
      memory,
      cpu,
      verified,
      orchestrationFloor: { ...floor, ratioToBound: round((floor.wallSeconds * 1000) / bound.boundMs, 2) },
    };
    ctx.log(`  bound ${round(bound.boundMs / 1000)} s (${bound.binding}); ${result.ratioToBound}x the bound; baseline ${baseline.meanMsPerTenant} ms/tenant -> ${result.baseline.extrapolatedSeconds} s for ${options.tenants}: ${result.speedupOverBaseline}x faster`);
    return result;
  } finally {
    await stack.stop();
  }
}
