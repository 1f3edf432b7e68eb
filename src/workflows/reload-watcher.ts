/**
 * One reload watcher per QSEoW site (id workflowIds.reloadWatcher(siteKey)). Tenant sync workflows register
 * with it; it loops on the watchReloads activity and fans every finished reload out to the sync workflows that
 * subscribed to the app. Sync workflows start it on demand (see sync.ts), so no one has to start it by hand.
 * Workflow-safe.
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReloadObservation } from '../activities/types';
import type { AppSpec } from '../plan/types';
import {
  appReloadedSignal,
  registerSyncSignal,
  reloadWatcherStateQuery,
  reloadWatcherStopSignal,
  unregisterSyncSignal,
  type AppReload,
  type ReloadWatcherInput,
} from './messages';
import { phaseActivities } from './phase-activities';

/** Longest single watchReloads call, so the loop regularly checks for continue-as-new. */
const MAX_WAIT_MS = 60_000;
const POLLS_PER_RUN = 500;
/** Signals sent per workflow task: fanning out to 10,000 tenants is spread over several tasks. */
const FAN_OUT_BATCH = 100;

export async function reloadWatcherWorkflow(input: ReloadWatcherInput): Promise<void> {
  const apps = new Map<string, AppSpec>((input.carried?.apps ?? []).map((app) => [app.name, app]));
  const since: Record<string, string> = { ...input.carried?.since };
  const subscribers: Record<string, string[]> = { ...input.carried?.subscribers };
  const outbox: Array<{ reload: AppReload; target: string }> = [];
  let stopped = false;
  /** The running poll, cancelled by stop so the watcher ends at once rather than after maxWaitMs. */
  let poll: CancellationScope | undefined;
  let polls = 0;
  let fannedOut = 0;

  setHandler(registerSyncSignal, ({ syncWorkflowId, apps: wanted }) => {
    for (const app of wanted) apps.set(app.name, app);
    subscribers[syncWorkflowId] = wanted.map((app) => app.name);
    // Hand the newcomer the newest reload already seen, so one that happened before it registered is not lost;
    // the sync workflow ignores reloads it already carries.
    for (const app of wanted) {
      if (since[app.name]) outbox.push({ reload: { appName: app.name, appId: '', lastReloadTime: since[app.name] }, target: syncWorkflowId });
    }
  });
  setHandler(unregisterSyncSignal, ({ syncWorkflowId }) => { delete subscribers[syncWorkflowId]; });
  setHandler(reloadWatcherStopSignal, () => { stopped = true; poll?.cancel(); });
  setHandler(reloadWatcherStateQuery, () => ({
    siteKey: input.siteKey,
    apps: [...apps.keys()],
    since: { ...since },
    subscribers: Object.keys(subscribers).length,
    polls,
    fannedOut,
  }));

  const watch = phaseActivities('watch', `site ${input.siteKey}`);
  const shouldContinueAsNew = () => workflowInfo().continueAsNewSuggested || polls >= POLLS_PER_RUN;

  while (!stopped) {
    if (outbox.length > 0) {
      await deliver(outbox.splice(0, FAN_OUT_BATCH));
      continue;
    }
    if (shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      if (outbox.length === 0) {
        await continueAsNew<typeof reloadWatcherWorkflow>({ ...input, carried: { apps: [...apps.values()], since, subscribers } });
      }
      continue;
    }
    if (Object.keys(subscribers).length === 0) {
      await condition(() => stopped || Object.keys(subscribers).length > 0 || outbox.length > 0);
      continue;
    }
    polls += 1;
    let reloads: ReloadObservation[];
    poll = new CancellationScope();
    try {
      reloads = await poll.run(() => watch.watchReloads({ source: input.source, apps: [...apps.values()], since, pollIntervalMs: input.pollIntervalMs, maxWaitMs: MAX_WAIT_MS }));
    } catch (err) {
      if (stopped && isCancellation(err)) break;
      throw err;
    } finally {
      poll = undefined;
    }
    for (const reload of reloads) {
      since[reload.appName] = reload.lastReloadTime;
      for (const [target, appNames] of Object.entries(subscribers)) {
        if (appNames.includes(reload.appName)) outbox.push({ reload, target });
      }
    }
  }
  await condition(allHandlersFinished);

  async function deliver(batch: Array<{ reload: AppReload; target: string }>): Promise<void> {
    await Promise.all(batch.map(async ({ reload, target }) => {
      try {
        await getExternalWorkflowHandle(target).signal(appReloadedSignal, reload);
        fannedOut += 1;
      } catch (err) {
        // The sync workflow was stopped or terminated: stop sending to it.
        log.info('Dropping reload subscriber', { target, error: String(err) });
        delete subscribers[target];
      }
    }));
  }
}
