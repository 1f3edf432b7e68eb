/**
 * Periodic visibility counts of tenants by QrState and QrPhase (and rollouts by QrState) for the metrics endpoint.
 *
 * Why per-value queries: Temporal's visibility store can GROUP BY ExecutionStatus only, not custom search
 * attributes. The number of queries is bounded by the label sets (8 statuses, phase breakdown only for statuses
 * where a phase means something and only when that status has tenants), never by the number of tenants.
 * The attribute names come from src/shared/search-attributes.ts (prefixed, so no SQL keyword needs backticks).
 */
import type { Client } from '@temporalio/client';
import { PhaseKey, StateKey } from '../shared/search-attributes';
import type { Logger } from 'pino';
import { PHASES, type TenantStatus } from '../workflows/messages';
import type { RolloutMetrics } from './metrics';

export const TENANT_STATUSES: readonly TenantStatus[] = ['pending', 'running', 'paused', 'waiting-for-action', 'succeeded', 'failed', 'skipped', 'cancelled'];
/** Statuses where the phase tells an operator where tenants are (or where they got stuck). */
const STATUSES_WITH_PHASE: ReadonlySet<TenantStatus> = new Set(['running', 'paused', 'waiting-for-action', 'failed']);
export const ROLLOUT_STATUSES = ['running', 'paused', 'awaiting-approval', 'halted', 'aborting', 'aborted', 'succeeded', 'failed'] as const;

export interface VisibilityCountOptions {
  client: Client;
  metrics: RolloutMetrics;
  logger: Logger;
  /** Refresh period; the first refresh runs at start. */
  intervalMs: number;
  tenantWorkflowType?: string;
  rolloutWorkflowType?: string;
}

/** Visibility strings are single-quoted; the values here are our own constants, but quote defensively. */
const quote = (value: string) => `'${value.replace(/'/g, "\\'")}'`;

/** Runs of a workflow that continued as new are history: count each workflow once, by its latest run. */
const baseQuery = (workflowType: string) => `WorkflowType = ${quote(workflowType)} AND ExecutionStatus != 'ContinuedAsNew'`;

export function tenantStatusQuery(workflowType: string, status: string, phase?: string): string {
  const phaseClause = phase === undefined ? '' : ` AND ${PhaseKey.name} = ${quote(phase)}`;
  return `${baseQuery(workflowType)} AND ${StateKey.name} = ${quote(status)}${phaseClause}`;
}

export async function refreshVisibilityCounts(options: Omit<VisibilityCountOptions, 'intervalMs' | 'logger'>): Promise<void> {
  const { client, metrics } = options;
  const tenantType = options.tenantWorkflowType ?? 'tenantWorkflow';
  const rolloutType = options.rolloutWorkflowType ?? 'rolloutWorkflow';
  const count = async (query: string) => (await client.workflow.count(query)).count;

  // Compute everything first, then swap the gauges, so a scrape never sees a half-refreshed set.
  const tenantValues: Array<{ status: string; phase: string; value: number }> = [];
  for (const status of TENANT_STATUSES) {
    const total = await count(tenantStatusQuery(tenantType, status));
    if (total === 0 || !STATUSES_WITH_PHASE.has(status)) {
      tenantValues.push({ status, phase: '', value: total });
      continue;
    }
    let withPhase = 0;
    for (const phase of PHASES) {
      const value = await count(tenantStatusQuery(tenantType, status, phase));
      withPhase += value;
      tenantValues.push({ status, phase, value });
    }
    // Tenants with this status but no Phase set yet (just started) keep the label set complete.
    tenantValues.push({ status, phase: '', value: Math.max(0, total - withPhase) });
  }
  const rolloutValues: Array<{ status: string; value: number }> = [];
  for (const status of ROLLOUT_STATUSES) rolloutValues.push({ status, value: await count(tenantStatusQuery(rolloutType, status)) });

  metrics.tenants.reset();
  for (const { status, phase, value } of tenantValues) metrics.tenants.set({ status, phase }, value);
  metrics.rollouts.reset();
  for (const { status, value } of rolloutValues) metrics.rollouts.set({ status }, value);
}

/** Starts the periodic refresh; returns a stop function. Failures are logged and counted, never thrown. */
export function startVisibilityCounts(options: VisibilityCountOptions): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      await refreshVisibilityCounts(options);
      options.metrics.visibilityRefreshes.inc({ result: 'ok' });
    } catch (err) {
      options.metrics.visibilityRefreshes.inc({ result: 'error' });
      options.logger.warn({ err: (err as Error).message }, 'visibility count for metrics failed; will retry next period');
    }
    if (!stopped) timer = setTimeout(() => { running = tick(); }, options.intervalMs);
  };
  running = tick();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
