/**
 * Sync: N tenants (default 100) rolled out with reload sync on, under the realistic latency model. Once every
 * tenant's sync workflow has registered with the reload watcher, one app is reloaded on QSEoW; the lag is the time
 * from that reload to each tenant's syncAfterReload having verified the new reload in its tenant.
 */
import type { Client } from '@temporalio/client';
import {
  reloadWatcherStateQuery,
  reloadWatcherStopSignal,
  siteKeyOf,
  syncStateQuery,
  syncStopUpdate,
  workflowIds,
} from '../workflows/messages';
import type { RolloutPlan } from '../plan/types';
import { round, startScenarioStack, type BenchContext } from './context';
import { DISTRIBUTION_DELAY_MS, REALISTIC_FAULTS } from './latency';
import { benchPlan, runRollout } from './rollout-run';
import type { PeakMemory } from './stack';
import type { WorkerStats } from './worker-child';

const WATCHER_POLL = '1s';
const LAG_TIMEOUT_MS = 10 * 60_000;

export interface SyncOptions {
  tenants: number;
}

export interface SyncResult {
  tenants: number;
  rolloutStatus: string;
  rolloutSeconds: number;
  watcherPollMs: number;
  app: string;
  /** Reload on QSEoW -> every tenant verified (seconds). */
  lagAllSeconds: number;
  lagP50Seconds: number;
  lagP95Seconds: number;
  /** Tenants whose sync workflow reports the new reload as synced (checked by query after the lag). */
  confirmedByQuery: number;
  memory: PeakMemory;
}

export async function runSync(ctx: BenchContext, options: SyncOptions): Promise<SyncResult> {
  ctx.log(`sync: ${options.tenants} tenants with reload sync, realistic latency; one reload -> every tenant verified`);
  const stack = await startScenarioStack(ctx, { tenants: options.tenants, seed: 10, distributionDelayMs: DISTRIBUTION_DELAY_MS, rateLimits: true, faults: REALISTIC_FAULTS }, options.tenants + 50, 100);
  const plan = benchPlan(stack.sim.info, { tenantCount: options.tenants, concurrency: options.tenants, sync: true, pollInterval: WATCHER_POLL });
  try {
    const run = await stack.guard(runRollout(stack.client, stack.taskQueue, plan, { log: ctx.log, progressNote: stack.memoryNote, historySamples: 5 }));
    const watcher = stack.client.workflow.getHandle(workflowIds.reloadWatcher(siteKeyOf(plan.source)));
    await waitUntil(async () => (await watcher.query(reloadWatcherStateQuery)).subscribers >= options.tenants, 120_000, 'every sync workflow registered with the reload watcher');
    await stack.worker.call('resetStats');

    const app = plan.apps[0].name;
    const reloadStarted = Date.now();
    const reloaded = await stack.sim.call<{ appId: string; lastReloadTime: string }>('reload', { appName: app });
    const doneAt = await stack.guard(waitForSyncs(() => stack.workerStats(), plan, reloaded.lastReloadTime));
    const lags = [...doneAt.values()].map((at) => at - reloadStarted).sort((a, b) => a - b);
    const confirmedByQuery = await confirmSynced(stack.client, plan, app, reloaded.lastReloadTime);
    await stopSync(stack.client, plan);
    const memory = await stack.stop();
    const result: SyncResult = {
      tenants: options.tenants,
      rolloutStatus: run.result.status,
      rolloutSeconds: round(run.wallMs / 1000),
      watcherPollMs: 1_000,
      app,
      lagAllSeconds: round(lags[lags.length - 1] / 1000, 2),
      lagP50Seconds: round(percentile(lags, 0.5) / 1000, 2),
      lagP95Seconds: round(percentile(lags, 0.95) / 1000, 2),
      confirmedByQuery,
      memory,
    };
    ctx.log(`  reload -> all ${options.tenants} tenants verified in ${result.lagAllSeconds} s (p50 ${result.lagP50Seconds} s, p95 ${result.lagP95Seconds} s); confirmed by query ${confirmedByQuery}`);
    return result;
  } finally {
    await stack.stop();
  }
}

/** Epoch ms at which each tenant's sync of `reloadTime` (or a later reload) finished. */
async function waitForSyncs(stats: () => Promise<WorkerStats>, plan: RolloutPlan, reloadTime: string): Promise<Map<string, number>> {
  const wanted = new Set(plan.tenants.map((t) => t.name));
  const doneAt = new Map<string, number>();
  const deadline = Date.now() + LAG_TIMEOUT_MS;
  while (doneAt.size < wanted.size) {
    if (Date.now() > deadline) throw new Error(`sync: only ${doneAt.size}/${wanted.size} tenants synced the reload within ${LAG_TIMEOUT_MS / 1000} s`);
    await sleep(200);
    for (const sync of (await stats()).syncs) {
      if (wanted.has(sync.tenant) && Date.parse(sync.reloadTime) >= Date.parse(reloadTime) && !doneAt.has(sync.tenant)) doneAt.set(sync.tenant, sync.at);
    }
  }
  return doneAt;
}

async function confirmSynced(client: Client, plan: RolloutPlan, app: string, reloadTime: string): Promise<number> {
  const states = await Promise.all(plan.tenants.map((t) => client.workflow.getHandle(workflowIds.sync(plan.source, t.name)).query(syncStateQuery)));
  return states.filter((s) => s.lastSynced[app] !== undefined && Date.parse(s.lastSynced[app]) >= Date.parse(reloadTime)).length;
}

/** Stops the long-lived sync workflows and the watcher, so nothing outlives the scenario on a shared server. */
async function stopSync(client: Client, plan: RolloutPlan): Promise<void> {
  await Promise.all(plan.tenants.map((t) => client.workflow.getHandle(workflowIds.sync(plan.source, t.name)).executeUpdate(syncStopUpdate).catch(() => undefined)));
  await client.workflow.getHandle(workflowIds.reloadWatcher(siteKeyOf(plan.source))).signal(reloadWatcherStopSignal).catch(() => undefined);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`sync: timed out waiting until ${what}`);
    await sleep(250);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
