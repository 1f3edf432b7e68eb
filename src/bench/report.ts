/** The Markdown summary of a bench run (bench/results/latest.md, also printed). */
import type { BenchResults } from './bench';
import { type CpuSpent, describeCpu } from './cpu';
import type { PeakMemory } from './stack';
import type { ThroughputResult } from './throughput';
import type { TenantTimeline } from './timeline';

const TARGETS = { tenantsPerSecond: 10, ratioToBound: 1.25, speedup: 20, workerMiB: 512 };

const mem = (m: PeakMemory) => `worker ${m.worker?.peakRssMiB ?? '?'} MiB, simulator ${m.simulator?.peakRssMiB ?? '?'} MiB, Temporal server ${m.server?.peakRssMiB ?? '?'} MiB`;
const ok = (pass: boolean) => (pass ? 'met' : '**missed**');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const timelineRow = (name: string, t: TenantTimeline | undefined) =>
  t ? [`| ${name}: where a tenant's time goes (mean of sampled tenants) | started ${seconds(t.startDelayMs)} after the rollout; then ${seconds(t.totalMs)}: activities running ${seconds(t.runningMs)}, queued for a worker ${seconds(t.queuedMs)}, workflow tasks between them ${seconds(t.decidingMs)} | |`] : [];
const cpuRow = (name: string, cpu: CpuSpent | undefined, wallSeconds: number) => (cpu ? [`| ${name}: CPU during the rollout | ${describeCpu(cpu, wallSeconds)} | |`] : []);
const runs = (r: ThroughputResult) => `${r.rolloutRuns} run(s): ${r.rolloutHistoryPerRun.join(', ')} events`;

function throughputRows(name: string, r: ThroughputResult): string[] {
  return [
    `| ${name}: tenants / in flight | ${r.tenants} / ${r.concurrency} (${r.status}${r.completed ? '' : `: ${r.succeeded} succeeded`}; verified in the simulator ${r.verified.ok}/${r.verified.checked}) | completes: ${ok(r.completed)} |`,
    `| ${name}: wall time | ${r.wallSeconds} s | |`,
    // The tenants/s target is the 1,000-tenant run's; the scale run's own target is to complete.
    `| ${name}: tenants/s | ${r.tenantsPerSecond} | ${name === 'throughput' ? `>= ${TARGETS.tenantsPerSecond}: ${ok(r.tenantsPerSecond >= TARGETS.tenantsPerSecond)}` : ''} |`,
    `| ${name}: activities/s | ${r.activitiesPerSecond} (${r.activities} activity attempts, ${r.activityFailures} failed and retried; ${r.qlikCalls} Qlik calls) | |`,
    `| ${name}: history events per tenant workflow | mean ${r.tenantHistoryEvents.mean} (min ${r.tenantHistoryEvents.min}, max ${r.tenantHistoryEvents.max}; ${r.tenantHistoryEvents.samples} sampled) | |`,
    ...timelineRow(name, r.tenantHistoryEvents.timeline),
    ...cpuRow(name, r.cpu, r.wallSeconds),
    `| ${name}: rollout workflow history per run | ${runs(r)} | |`,
    `| ${name}: peak RSS (VmHWM) | ${mem(r.memory)} | worker < ${TARGETS.workerMiB} MiB: ${ok((r.memory.worker?.peakRssMiB ?? Infinity) < TARGETS.workerMiB)} |`,
  ];
}

/** The orchestration floor beside the latency run: how much of the bound Temporal alone takes on these cores. */
function floorRows(l: NonNullable<BenchResults['latency']>): string[] {
  const f = l.orchestrationFloor;
  if (!f) return [];
  return [
    `| latency: orchestration alone (same rollout, activities answer at once) | ${f.wallSeconds} s (${f.status}) = ${f.ratioToBound}x the bound; ${describeCpu(f.cpu, f.wallSeconds)} | |`,
    ...timelineRow('orchestration alone', f.tenantTimeline),
  ];
}

export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `# qlik-rollout benchmark`,
    ``,
    `${results.startedAt} on ${m.cpus} CPU(s) (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`,
    `Scenarios: ${results.args.only.join(', ')}. Real Temporal dev server, simulator and worker in their own processes.`,
    ``,
    `| Measure | Result | Target |`,
    `|---|---|---|`,
  ];
  if (results.throughput) lines.push(...throughputRows('throughput', results.throughput));
  const l = results.latency;
  if (l) {
    lines.push(
      `| latency: tenants / in flight | ${l.tenants} / ${l.concurrency} (${l.status}; verified ${l.verified.ok}/${l.verified.checked}), ${l.model.meanLatencyMs} ms mean per call, rate limits on | |`,
      `| latency: wall time | ${l.wallSeconds} s | |`,
      `| latency: model lower bound | ${(l.model.boundMs / 1000).toFixed(1)} s, bound by ${l.model.binding} (critical path: one tenant at mean latency ${(l.model.criticalPathMs / 1000).toFixed(1)} s = ${l.model.callsPerTenant} calls x ${l.model.meanLatencyMs} ms + ${l.model.distributionDelayMs} ms, the slowest of ${l.tenants} expected ${(l.model.slowestPathMs / 1000).toFixed(1)} s; shared-object writes ${(l.model.sharedWriteFloorMs / 1000).toFixed(1)} s; rate limits ${(l.model.rateLimitFloorMs / 1000).toFixed(1)} s; ${l.model.siteConnections} QSEoW sockets ${(l.model.siteConnectionFloorMs / 1000).toFixed(1)} s) | |`,
      ...timelineRow('latency', l.tenantTimeline),
      ...cpuRow('latency', l.cpu, l.wallSeconds),
      `| latency: wall / bound | ${l.ratioToBound}x (${l.ratioToCriticalPath}x one tenant's path at mean latency) | <= ${TARGETS.ratioToBound}x: ${ok(l.ratioToBound <= TARGETS.ratioToBound)} |`,
      ...floorRows(l),
      `| latency: sequential baseline | ${l.baseline.meanMsPerTenant} ms/tenant measured on ${l.baseline.measuredTenants} tenants, extrapolated to ${l.tenants}: ${l.baseline.extrapolatedSeconds} s | |`,
      `| latency: speed-up over the baseline | ${l.speedupOverBaseline}x | >= ${TARGETS.speedup}x: ${ok(l.speedupOverBaseline >= TARGETS.speedup)} |`,
      `| latency: simulator answers | ${Object.entries(l.simulatorRequests.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')} | |`,
      `| latency: peak RSS | ${mem(l.memory)} | |`,
    );
  }
  if (results.scale) lines.push(...throughputRows('scale', results.scale));
  const s = results.sync;
  if (s) {
    lines.push(
      `| sync: tenants | ${s.tenants} synced (rollout ${s.rolloutStatus} in ${s.rolloutSeconds} s), watcher polls every ${s.watcherPollMs} ms | |`,
      `| sync: one reload of "${s.app}" -> every tenant verified | ${s.lagAllSeconds} s (p50 ${s.lagP50Seconds} s, p95 ${s.lagP95Seconds} s; ${s.confirmedByQuery}/${s.tenants} confirmed by query) | |`,
      `| sync: peak RSS | ${mem(s.memory)} | |`,
    );
  }
  for (const [name, error] of Object.entries(results.errors)) lines.push(`| ${name} | **failed**: ${error} | |`);
  for (const p of results.profiles ?? []) {
    lines.push('', `CPU profile of the ${p.process} (${(p.totalMs / 1000).toFixed(1)} s sampled), top self time:`, '');
    for (const f of p.top) lines.push(`- ${f.percent}% ${f.frame}`);
  }
  return `${lines.join('\n')}\n`;
}
