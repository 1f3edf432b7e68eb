/**
 * The dry run's sync line: whether the tenant's sync workflow (workflowIds.sync(site, tenant), the id the tenant
 * workflow starts it under and finds "already started") is running in Temporal. Read-only: one DescribeWorkflow
 * per tenant. When Temporal cannot be asked, the line says so instead of guessing.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { RolloutPlan } from '../../plan/types';
import { workflowIds } from '../../workflows/messages';
import { withDeadline } from '../io';
import type { PhasePreview } from './inspect';

/** A DescribeWorkflow that takes longer than this counts as "Temporal not reachable". */
const DESCRIBE_TIMEOUT_MS = 5_000;

export type SyncProbe = (tenant: string) => Promise<PhasePreview>;

/** How each tenant's sync line is found; `temporal` rejects when the CLI cannot reach Temporal at `address`. */
export function syncProbe(plan: Pick<RolloutPlan, 'source' | 'sync'>, address: string, temporal: () => Promise<Client>): SyncProbe {
  const poll = `poll every ${plan.sync.pollIntervalMs / 1000}s`;
  let client: Promise<Client | Error> | undefined;
  return async (tenant) => {
    if (!plan.sync.enabled) return { phase: 'sync', action: 'unchanged', detail: 'sync disabled in the plan' };
    client ??= temporal().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    const connected = await client;
    const unreachable = (why?: string): PhasePreview => ({
      phase: 'sync',
      action: 'unknown',
      detail: `unknown: Temporal not reachable at ${address}${why ? ` (${why})` : ''}; cannot tell whether the sync runs (set TEMPORAL_ADDRESS or --profile)`,
    });
    // The connection error itself (with its advice) is long: the address says enough here.
    if (connected instanceof Error) return unreachable();
    const workflowId = workflowIds.sync(plan.source, tenant);
    try {
      const described = await withDeadline(connected.workflow.getHandle(workflowId).describe(), DESCRIBE_TIMEOUT_MS, () => {
        throw new Error(`no answer to DescribeWorkflow within ${DESCRIBE_TIMEOUT_MS / 1000}s`);
      });
      if (described.status.name === 'RUNNING') {
        return { phase: 'sync', action: 'unchanged', detail: `sync running since ${described.startTime.toISOString()} (${workflowId}); the rollout keeps it` };
      }
      return { phase: 'sync', action: 'create', detail: `start ${workflowId} (${poll}); the last one is ${described.status.name.toLowerCase()} since ${(described.closeTime ?? described.startTime).toISOString()}` };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { phase: 'sync', action: 'create', detail: `start ${workflowId}: keep in sync after every reload (${poll})` };
      return unreachable(firstLine((err as Error).message));
    }
  };
}

const firstLine = (text: string) => text.split('\n')[0].slice(0, 200);
