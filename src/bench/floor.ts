/**
 * The orchestration floor: the latency scenario's rollout (same tenants, same plan, all in flight) on a worker whose
 * activities answer at once. Its wall time and CPU are what Temporal's orchestration alone costs on this machine,
 * with no Qlik call and no simulator work: if that alone comes near the latency bound, the bound is out of reach on
 * these cores whatever the activities do.
 */
import { round, startScenarioStack, type BenchContext } from './context';
import { type CpuSpent, cpuSpent } from './cpu';
import { benchPlan, runRollout } from './rollout-run';
import type { TenantTimeline } from './timeline';

export interface FloorResult {
  tenants: number;
  status: string;
  wallSeconds: number;
  cpu: CpuSpent;
  tenantTimeline?: TenantTimeline;
}

export async function runOrchestrationFloor(ctx: BenchContext, tenants: number, concurrency: number): Promise<FloorResult> {
  ctx.log(`  orchestration floor: the same ${tenants} tenants, activities answering at once`);
  const stack = await startScenarioStack(ctx, { tenants, seed: 9 }, concurrency + 50, 100, true);
  try {
    const plan = benchPlan(stack.sim.info, { concurrency, sync: false, qseowConnections: concurrency, tenantCount: tenants });
    const cpuBefore = stack.cpu();
    const run = await stack.guard(runRollout(stack.client, stack.taskQueue, plan, { log: ctx.log }));
    const cpu = cpuSpent(cpuBefore, stack.cpu(), run.wallMs, tenants);
    ctx.log(`  orchestration alone: ${run.result.status} in ${round(run.wallMs / 1000)} s, ${cpu.perTenantMs} ms CPU per tenant`);
    return { tenants, status: run.result.status, wallSeconds: round(run.wallMs / 1000), cpu, tenantTimeline: run.tenantHistory.timeline };
  } finally {
    await stack.stop();
  }
}
