/**
 * Replace on reload (phase 6): one long-lived workflow per tenant (id workflowIds.sync(site, tenant)). It registers
 * with the reload watcher of its QSEoW site, then for every appReloadedSignal runs syncAfterReload, which waits
 * for the redistributed app to carry the new reload and repairs what drifted. Workflow-safe.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { tenantContext, isLater, latest } from './context';
import { reloadWatcherSummary } from './details';
import { describeFailure } from './failures';
import {
  appReloadedSignal,
  registerSyncSignal,
  siteKeyOf,
  syncPauseUpdate,
  syncResumeUpdate,
  syncStateQuery,
  syncStopUpdate,
  unregisterSyncSignal,
  workflowIds,
  type AppReload,
  type ReloadWatcherInput,
  type SyncState,
  type TenantSyncInput,
} from './messages';
import { phaseActivities } from './phase-activities';
import { ensureDetachedWorkflow } from './sync-start';

/** Continue-as-new after this many syncs even if the server has not suggested it (keeps replays short). */
const SYNCS_PER_RUN = 200;

export async function tenantSyncWorkflow(input: TenantSyncInput): Promise<SyncState> {
  const tenant = input.tenant.name;
  const appNames = new Set(input.plan.apps.map((app) => app.name));
  const carried = input.carried;
  const state: SyncState = {
    tenant,
    status: carried?.paused ? 'paused' : 'watching',
    lastSynced: { ...input.lastSynced },
    syncs: carried?.syncs ?? 0,
    repairs: carried?.repairs ?? 0,
    lastError: carried?.lastError,
  };
  let paused = carried?.paused ?? false;
  let stopped = false;
  let syncsThisRun = 0;
  /** At most one pending reload per app: the newest (a sync to a newer reload covers the older one). */
  const queue: AppReload[] = [...(carried?.queue ?? [])];

  setHandler(syncStateQuery, () => ({ ...state, lastSynced: { ...state.lastSynced } }));
  setHandler(appReloadedSignal, (reload) => {
    if (!appNames.has(reload.appName) || !isLater(reload.lastReloadTime, state.lastSynced[reload.appName])) return;
    const queued = queue.findIndex((r) => r.appName === reload.appName);
    if (queued < 0) queue.push(reload);
    else if (isLater(reload.lastReloadTime, queue[queued].lastReloadTime)) queue[queued] = reload;
  });
  const notStopped = () => { if (stopped) throw new Error(`Sync of ${tenant} is stopped`); };
  setHandler(syncPauseUpdate, () => { paused = true; if (state.status === 'watching') state.status = 'paused'; return { ...state }; }, { validator: notStopped });
  setHandler(syncResumeUpdate, () => { paused = false; if (state.status === 'paused') state.status = 'watching'; return { ...state }; }, { validator: notStopped });
  setHandler(syncStopUpdate, () => { stopped = true; state.status = 'stopped'; return { ...state }; }, { validator: notStopped });

  const watcherId = workflowIds.reloadWatcher(siteKeyOf(input.plan.source));
  let registered = carried?.registered ?? false;
  if (!registered) {
    const watcherInput: ReloadWatcherInput = { siteKey: siteKeyOf(input.plan.source), source: input.plan.source, pollIntervalMs: input.plan.sync.pollIntervalMs };
    await ensureDetachedWorkflow('reloadWatcherWorkflow', watcherId, watcherInput, reloadWatcherSummary(watcherInput.siteKey));
    await getExternalWorkflowHandle(watcherId).signal(registerSyncSignal, { syncWorkflowId: workflowInfo().workflowId, apps: input.plan.apps });
    registered = true;
  }

  const ctx = tenantContext(input.rolloutId, input.plan, input.tenant);
  const sync = phaseActivities('sync', tenant, input.activityRetry);
  const shouldContinueAsNew = () => workflowInfo().continueAsNewSuggested || syncsThisRun >= SYNCS_PER_RUN;
  /** The copy each app's sync found last: the first candidate of the next sync (cloud-copies.ts). */
  const copies: Record<string, string> = { ...input.copies };
  // Before this patch one app's sync ran at a time, so an app whose copy never came held back every other app.
  const perApp = patched('sync-apps-independently');
  const running = new Map<string, Promise<void>>();
  const nextReload = () => queue.findIndex((reload) => !running.has(reload.appName));

  const runSync = async (reload: AppReload): Promise<void> => {
    try {
      const result = await sync.syncAfterReload({ ctx, appName: reload.appName, reloadTime: reload.lastReloadTime, cloudAppId: copies[reload.appName] });
      // The QSEoW reload time: the copy's own clock may differ by a little (assumption A6).
      state.lastSynced[reload.appName] = perApp ? latest(reload.lastReloadTime, state.lastSynced[reload.appName]) : result.lastReloadTime;
      copies[reload.appName] = result.cloudAppId;
      state.repairs += result.repairs.length;
      state.lastError = undefined;
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The next reload tries again; the error stays visible in syncState until a sync succeeds.
      state.lastError = describeFailure(tenant, 'sync', err);
      log.warn('Sync after reload failed', { tenant, app: reload.appName, error: state.lastError });
    }
    state.syncs += 1;
    syncsThisRun += 1;
  };

  for (;;) {
    await condition(() => stopped || (shouldContinueAsNew() ? running.size === 0 : !paused && nextReload() >= 0));
    if (stopped) break;
    if (shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof tenantSyncWorkflow>({
        ...input,
        lastSynced: state.lastSynced,
        copies,
        carried: { syncs: state.syncs, repairs: state.repairs, paused, registered, queue, lastError: state.lastError },
      });
    }
    const [reload] = queue.splice(nextReload(), 1);
    state.status = 'syncing';
    const job = runSync(reload).finally(() => {
      running.delete(reload.appName);
      if (!stopped && running.size === 0) state.status = paused ? 'paused' : 'watching';
    });
    running.set(reload.appName, job);
    if (!perApp) await job;
  }
  await Promise.all(running.values());

  try {
    await getExternalWorkflowHandle(watcherId).signal(unregisterSyncSignal, { syncWorkflowId: workflowInfo().workflowId });
  } catch {
    // The watcher is gone; nothing to unregister from.
  }
  await condition(allHandlersFinished);
  return state;
}
