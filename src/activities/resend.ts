/**
 * Making QSEoW send an app again when a distribution did not arrive (the tenant was down, its token was rejected,
 * the app was already there before the deployment existed). Qlik documents what starts a distribution: publishing,
 * reloading, and a change of a published app (HLP-POL-INTRO23); it documents no retry of a failed one (assumption
 * A11). So after `resendAfterMs` without the copy the tool changes the app: a PUT of the app as it is, which moves
 * its modifiedDate (assumption A10: that counts as a change). If the plan allows it, a later re-send starts the
 * app's reload task instead (a documented trigger, at the cost of a reload). Re-sends repeat every `resendAfterMs`
 * until the copy arrives, so a copy converges within one interval of the fault clearing.
 *
 * Re-sends of one app are shared by every tenant waiting for it in this process: 200 tenants behind one outage make
 * one app change per interval, not 200.
 */
import type { Logger } from 'pino';
import type { DistributionSpec } from '../plan/types';
import { DEFAULT_DISTRIBUTION } from '../plan/types';
import { configFailure, isHttpStatus } from '../qlik/errors';
import { qrsApps } from '../qlik/qrs/apps';
import { reloadTasksOfApps } from '../qlik/qrs/reload-tasks';
import type { Transport } from '../qlik/transport';
import { pause } from './scope';

/** What one phase attempt remembers (in its heartbeat) about re-sending one app. */
export interface ResendProgress {
  /** Epoch ms when the wait for this app began (kept across attempts). */
  waitingSince: number;
  lastResendAt?: number;
  resends: number;
  reloadTaskStarted?: boolean;
}

export function distributionOf(ctx: { distribution?: DistributionSpec }): DistributionSpec {
  return ctx.distribution ?? DEFAULT_DISTRIBUTION;
}

/** Last re-send per QSEoW site and app in this process (shared by the tenants waiting for the same app). */
const lastResendOfApp = new Map<string, number>();

const CONFLICT_ATTEMPTS = 5;

/** A PUT of the app as read: nothing changes but its modifiedDate (assumption A10). */
async function touchApp(qrs: Transport, appId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const app = await qrsApps.get(qrs, appId);
    try {
      await qrsApps.update(qrs, app);
      return;
    } catch (err) {
      // Someone changed the app between our read and write: that change re-sends it as well, but read again.
      if (!isHttpStatus(err, 409) || attempt >= CONFLICT_ATTEMPTS) throw err;
      await pause(50 * attempt);
    }
  }
}

async function startReloadTask(qrs: Transport, app: { id: string; name: string }): Promise<void> {
  const task = (await reloadTasksOfApps(qrs, [app.id])).find((t) => (t.taskType ?? 0) === 0 && t.enabled !== false);
  if (!task) {
    throw configFailure(`App "${app.name}" has no enabled reload task on ${qrs.target}, so distribution.resendWithReloadTask cannot re-send it; create one in the QMC or turn the option off.`);
  }
  await qrs.call({ method: 'POST', route: '/qrs/task/{id}/start', params: { id: task.id } });
}

/** Whether this wait is due for a re-send: `resendAfterMs` since it began or since the last re-send. */
export function resendDue(progress: ResendProgress, spec: DistributionSpec, now = Date.now()): boolean {
  return now >= (progress.lastResendAt ?? progress.waitingSince) + spec.resendAfterMs;
}

/**
 * Re-sends `app` when it is due for this wait; returns what was done (for the phase's log and result) or undefined.
 */
export async function resendIfDue(qrs: Transport, app: { id: string; name: string }, spec: DistributionSpec, progress: ResendProgress, log: Logger): Promise<string | undefined> {
  const now = Date.now();
  if (!resendDue(progress, spec, now)) return undefined;
  progress.lastResendAt = now;
  progress.resends += 1;
  const key = `${qrs.target}|${app.id}`;
  const useReloadTask = spec.resendWithReloadTask && progress.resends >= 2 && !progress.reloadTaskStarted;
  if (!useReloadTask && now - (lastResendOfApp.get(key) ?? 0) < spec.resendAfterMs / 2) return 'waited for a re-send made for another tenant';
  lastResendOfApp.set(key, now);
  if (useReloadTask) {
    await startReloadTask(qrs, app);
    progress.reloadTaskStarted = true;
    log.info({ appId: app.id, resends: progress.resends }, 'copy still missing: started the app\'s reload task to re-send it');
    return `started the reload task of "${app.name}" to re-send it`;
  }
  await touchApp(qrs, app.id);
  log.info({ appId: app.id, resends: progress.resends }, 'copy still missing: changed the app on QSEoW to re-send it (assumption A10)');
  return `re-sent "${app.name}" (app change on QSEoW)`;
}

/** The sentence a wait ends with when re-sending brought nothing. */
export function resendAdvice(spec: DistributionSpec, progress: ResendProgress | undefined): string {
  if (!progress || progress.resends === 0) return '';
  const how = progress.reloadTaskStarted ? 'app changes and a reload task run' : 'app changes';
  const next = spec.resendWithReloadTask ? '' : ' If app changes do not start distributions on this site (assumption A10), set distribution.resendWithReloadTask: true or create a distribution task in the QMC.';
  return ` Re-sent ${progress.resends} time(s) by ${how}.${next}`;
}
