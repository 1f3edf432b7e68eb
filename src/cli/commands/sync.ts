/** sync status|stop: the per-tenant sync workflows that verify every redistribution after a reload on QSEoW. */
import type { Client } from '@temporalio/client';
import { syncStateQuery, syncStopUpdate, type SyncState } from '../../workflows/messages';
import { type CommandContext, explainWorkflowError } from '../context';
import { BadInputError, ExitCode, printResult, withDeadline } from '../io';

export const SYNC_WORKFLOW = 'tenantSyncWorkflow';

const QUERY_TIMEOUT_MS = 5_000;

interface SyncWorkflow {
  workflowId: string;
  state: SyncState;
}

/**
 * The running sync workflows (one per QSEoW site and tenant), optionally only those of the named tenants.
 * Their ids carry the site key, so the tenant is read from each workflow's own state.
 */
async function runningSyncs(client: Client, tenants: string[]): Promise<SyncWorkflow[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${SYNC_WORKFLOW}' AND ExecutionStatus = 'Running'` })) {
    // Ids end with the tenant name: query only the candidates.
    if (tenants.length === 0 || tenants.some((tenant) => wf.workflowId.endsWith(`-${tenant}`))) ids.push(wf.workflowId);
  }
  // A sync whose worker is gone (or that closed meanwhile) cannot answer; it is left out, not fatal.
  const answers = await Promise.all(ids.map((workflowId) => withDeadline(client.workflow.getHandle(workflowId).query(syncStateQuery).catch(() => undefined), QUERY_TIMEOUT_MS, () => undefined)));
  const syncs = ids
    .map((workflowId, i) => ({ workflowId, state: answers[i] }))
    .filter((s): s is SyncWorkflow => s.state !== undefined && (tenants.length === 0 || tenants.includes(s.state.tenant)));
  const missing = tenants.filter((tenant) => !syncs.some((s) => s.state.tenant === tenant));
  if (missing.length > 0) throw new BadInputError(`No running sync for tenant ${missing.join(', ')} (sync starts for each tenant after its first publish).`);
  return syncs.sort((a, b) => a.state.tenant.localeCompare(b.state.tenant) || a.workflowId.localeCompare(b.workflowId));
}

export async function syncStatusCommand(ctx: CommandContext, tenants: string[]): Promise<number> {
  const { client } = await ctx.temporal();
  const states = (await runningSyncs(client, tenants)).map((s) => s.state);
  printResult(ctx.io, ctx.options, states, () =>
    states.length === 0
      ? 'No tenant is being kept in sync (sync starts for each tenant after its first publish).'
      : states
          .map((s) => {
            const apps = Object.entries(s.lastSynced).map(([app, time]) => `${app} @ ${time}`).join(', ');
            return `${s.tenant.padEnd(20)} ${s.status.padEnd(9)} syncs ${s.syncs}, repairs ${s.repairs}${s.lastError ? `, last error: ${s.lastError}` : ''}${apps ? `\n${' '.repeat(21)}${apps}` : ''}`;
          })
          .join('\n'),
  );
  return ExitCode.Ok;
}

export async function syncStopCommand(ctx: CommandContext, tenants: string[], all: boolean): Promise<number> {
  const { client } = await ctx.temporal();
  if (tenants.length === 0 && !all) throw new BadInputError('Name the tenants whose sync to stop, or pass --all.');
  const states: SyncState[] = [];
  for (const sync of await runningSyncs(client, all ? [] : tenants)) {
    try {
      states.push(await client.workflow.getHandle(sync.workflowId).executeUpdate(syncStopUpdate, { args: [] }));
    } catch (err) {
      explainWorkflowError(err, `Sync of tenant ${sync.state.tenant}`);
    }
  }
  printResult(ctx.io, ctx.options, states, () => (states.length === 0 ? 'No sync was running.' : states.map((s) => `Stopped sync of ${s.tenant}.`).join('\n')));
  return ExitCode.Ok;
}
