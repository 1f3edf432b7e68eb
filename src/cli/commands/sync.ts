/** sync status|stop: the per-tenant sync workflows that verify every redistribution after a reload on QSEoW. */
import type { Client } from '@temporalio/client';
import { siteKeyOf, syncStateQuery, syncStopUpdate, type SyncState } from '../../workflows/messages';
import { type CommandContext, explainWorkflowError } from '../context';
import { BadInputError, ExitCode, printResult, withDeadline } from '../io';

export const SYNC_WORKFLOW = 'tenantSyncWorkflow';

const QUERY_TIMEOUT_MS = 5_000;

interface SyncWorkflow {
  workflowId: string;
  /** The QSEoW site's key (siteKeyOf its QRS URL), read from the id `sync-<site>-<tenant>`. */
  site: string;
  state: SyncState;
}

/** Site key of a sync workflow id (workflowIds.sync): what lies between "sync-" and "-<tenant>". */
function siteOfSyncId(workflowId: string, tenant: string): string {
  const prefix = 'sync-';
  const suffix = `-${tenant}`;
  return workflowId.startsWith(prefix) && workflowId.endsWith(suffix) ? workflowId.slice(prefix.length, workflowId.length - suffix.length) : '';
}

/** `--site` takes a QRS URL (as in the plan's source.qrs.url) or a site key as `sync status` shows it. */
export function siteKeyOfOption(site: string): string {
  return siteKeyOf({ qrsUrl: site.trim() });
}

/**
 * The running sync workflows (one per QSEoW site and tenant), optionally only those of the named tenants.
 * Their ids carry the site key, so the tenant is read from each workflow's own state.
 */
async function runningSyncs(client: Client, tenants: string[], site?: string): Promise<SyncWorkflow[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${SYNC_WORKFLOW}' AND ExecutionStatus = 'Running'` })) {
    // Ids end with the tenant name: query only the candidates.
    if (tenants.length === 0 || tenants.some((tenant) => wf.workflowId.endsWith(`-${tenant}`))) ids.push(wf.workflowId);
  }
  // A sync whose worker is gone (or that closed meanwhile) cannot answer; it is left out, not fatal.
  const answers = await Promise.all(ids.map((workflowId) => withDeadline(client.workflow.getHandle(workflowId).query(syncStateQuery).catch(() => undefined), QUERY_TIMEOUT_MS, () => undefined)));
  const syncs = ids
    .flatMap((workflowId, i) => {
      const state = answers[i];
      return state ? [{ workflowId, state, site: siteOfSyncId(workflowId, state.tenant) }] : [];
    })
    .filter((s) => (tenants.length === 0 || tenants.includes(s.state.tenant)) && (site === undefined || s.site === site));
  const missing = tenants.filter((tenant) => !syncs.some((s) => s.state.tenant === tenant));
  if (missing.length > 0) {
    throw new BadInputError(`No running sync for tenant ${missing.join(', ')}${site ? ` on site ${site}` : ''} (sync starts for each tenant after its first publish).`);
  }
  return syncs.sort((a, b) => a.state.tenant.localeCompare(b.state.tenant) || a.workflowId.localeCompare(b.workflowId));
}

export interface SyncFilter {
  /** Only syncs of this QSEoW site (QRS URL or site key). */
  site?: string;
}

export async function syncStatusCommand(ctx: CommandContext, tenants: string[], filter: SyncFilter = {}): Promise<number> {
  const { client } = await ctx.temporal();
  const syncs = await runningSyncs(client, tenants, filter.site === undefined ? undefined : siteKeyOfOption(filter.site));
  const states = syncs.map((s) => ({ ...s.state, site: s.site }));
  const multiSite = new Set(syncs.map((s) => s.site)).size > 1;
  printResult(ctx.io, ctx.options, states, () =>
    states.length === 0
      ? 'No tenant is being kept in sync (sync starts for each tenant after its first publish).'
      : states
          .map((s) => {
            const apps = Object.entries(s.lastSynced).map(([app, time]) => `${app} @ ${time}`).join(', ');
            return `${s.tenant.padEnd(20)} ${s.status.padEnd(9)} syncs ${s.syncs}, repairs ${s.repairs}${s.lastError ? `, last error: ${s.lastError}` : ''}${multiSite ? `\n${' '.repeat(21)}site ${s.site}` : ''}${apps ? `\n${' '.repeat(21)}${apps}` : ''}`;
          })
          .join('\n'),
  );
  return ExitCode.Ok;
}

export interface SyncStopOptions extends SyncFilter {
  /** Every tenant (instead of naming them). */
  all?: boolean;
  /** Every QSEoW site a named tenant is in sync on (instead of --site). */
  allSites?: boolean;
}

/**
 * Stops syncs. A tenant name is per QSEoW site (the same deployment name on two sites is two syncs), so when the
 * matching syncs span more than one site a person must choose one with --site, or say --all-sites.
 */
export async function syncStopCommand(ctx: CommandContext, tenants: string[], options: SyncStopOptions = {}): Promise<number> {
  const { client } = await ctx.temporal();
  if (tenants.length === 0 && !options.all) throw new BadInputError('Name the tenants whose sync to stop, or pass --all.');
  if (options.site !== undefined && options.allSites) throw new BadInputError('Give --site or --all-sites, not both.');
  const site = options.site === undefined ? undefined : siteKeyOfOption(options.site);
  const syncs = await runningSyncs(client, options.all ? [] : tenants, site);
  const sites = [...new Set(syncs.map((s) => s.site))].sort();
  if (site === undefined && !options.allSites && sites.length > 1) {
    const lines = syncs.map((s) => `  ${s.state.tenant.padEnd(20)} site ${s.site}  (${s.workflowId})`);
    throw new BadInputError(
      `These syncs run on ${sites.length} QSEoW sites; choose one with --site <qrs url or site key>, or stop them all with --all-sites:\n${lines.join('\n')}`,
    );
  }
  const stopped: Array<SyncState & { site: string }> = [];
  for (const sync of syncs) {
    try {
      stopped.push({ ...(await client.workflow.getHandle(sync.workflowId).executeUpdate(syncStopUpdate, { args: [] })), site: sync.site });
    } catch (err) {
      explainWorkflowError(err, `Sync of tenant ${sync.state.tenant}`);
    }
  }
  printResult(ctx.io, ctx.options, stopped, () => (stopped.length === 0 ? 'No sync was running.' : stopped.map((s) => `Stopped sync of ${s.tenant} on site ${s.site}.`).join('\n')));
  return ExitCode.Ok;
}
