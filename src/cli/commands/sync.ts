/** sync status|stop: the per-tenant sync workflows that verify every redistribution after a reload on QSEoW. */
import type { Client } from '@temporalio/client';
import { syncStateQuery, syncStopUpdate, workflowIds, type SyncState } from '../../workflows/messages';
import { type CommandContext, explainWorkflowError } from '../context';
import { BadInputError, ExitCode, printResult } from '../io';

export const SYNC_WORKFLOW = 'tenantSyncWorkflow';

async function runningSyncTenants(client: Client): Promise<string[]> {
  const tenants: string[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${SYNC_WORKFLOW}' AND ExecutionStatus = 'Running'` })) {
    tenants.push(wf.workflowId.replace(/^sync-/, ''));
  }
  return tenants.sort();
}

async function syncState(client: Client, tenant: string): Promise<SyncState> {
  try {
    return await client.workflow.getHandle(workflowIds.sync(tenant)).query(syncStateQuery);
  } catch (err) {
    explainWorkflowError(err, `Sync of tenant ${tenant}`);
  }
}

export async function syncStatusCommand(ctx: CommandContext, tenants: string[]): Promise<number> {
  const { client } = await ctx.temporal();
  const names = tenants.length > 0 ? tenants : await runningSyncTenants(client);
  const states: SyncState[] = [];
  for (const tenant of names) states.push(await syncState(client, tenant));
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
  const names = all ? await runningSyncTenants(client) : tenants;
  const states: SyncState[] = [];
  for (const tenant of names) {
    try {
      states.push(await client.workflow.getHandle(workflowIds.sync(tenant)).executeUpdate(syncStopUpdate, { args: [] }));
    } catch (err) {
      explainWorkflowError(err, `Sync of tenant ${tenant}`);
    }
  }
  printResult(ctx.io, ctx.options, states, () => (states.length === 0 ? 'No sync was running.' : states.map((s) => `Stopped sync of ${s.tenant}.`).join('\n')));
  return ExitCode.Ok;
}
