/**
 * Starting the long-lived workflows a tenant needs after its first publish. They outlive the tenant and the
 * rollout (ParentClosePolicy ABANDON); "already started" means one is running already, which is what we want.
 * Workflow-safe.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, patched, startChild, workflowInfo } from '@temporalio/workflow';
import { syncSummary } from './details';
import type { TenantSyncInput, TenantWorkflowInput } from './messages';
import { siteKeyOf, workflowIds } from './messages';

/**
 * Starts `workflowType` as an abandoned child with a fixed id; returns false when it was already running.
 * `staticSummary`: the one line the Web UI lists it with (details.ts).
 */
export async function ensureDetachedWorkflow(workflowType: string, workflowId: string, input: unknown, staticSummary?: string): Promise<boolean> {
  try {
    await startChild(workflowType, {
      workflowId,
      args: [input],
      taskQueue: workflowInfo().taskQueue,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      ...(staticSummary ? { staticSummary } : {}),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** Starts the tenant's sync workflow (id workflowIds.sync(site, tenant)) unless it runs already. */
export async function startTenantSync(input: TenantWorkflowInput, lastSynced: Record<string, string>, copies?: Record<string, string>): Promise<boolean> {
  const syncInput: TenantSyncInput = {
    rolloutId: input.rolloutId,
    plan: input.plan,
    tenant: input.tenant,
    lastSynced,
    ...(copies ? { copies } : {}),
    activityRetry: input.activityRetry,
  };
  // Before the patch the id named the tenant only, so two sites (or two test runs) sharing a deployment name
  // adopted each other's sync workflow.
  const workflowId = patched('sync-id-per-site') ? workflowIds.sync(input.plan.source, input.tenant.name) : `sync-${input.tenant.name}`;
  return ensureDetachedWorkflow('tenantSyncWorkflow', workflowId, syncInput, syncSummary(input.tenant.name, siteKeyOf(input.plan.source)));
}
