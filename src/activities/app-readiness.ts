/**
 * Whether a QSEoW app is fit to be distributed, with how to fix each problem: shared by phase 2 (which checks it all)
 * and phase 1 (which refuses to add the tenant's value to an app that is not: that value is the change of a
 * published app that makes QSEoW distribute it, so an app failing verification must never get it).
 */
import type { PhaseContext } from '../plan/types';
import { verificationFailure } from '../qlik/errors';
import { hasReloaded, type AppFacts } from '../qlik/qrs/apps';
import { lastReloadFailed, reloadTasksOfApps, type ReloadTask } from '../qlik/qrs/reload-tasks';
import type { Transport } from '../qlik/transport';

const GB = 1024 ** 3;
const size = (bytes: number) => (bytes >= GB ? `${(bytes / GB).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`);

/** What is wrong with one app, each with the fix (empty = fine). `carriesValue`: it has the tenant's value. */
export function appProblems(app: AppFacts, tasks: ReloadTask[], ctx: PhaseContext, carriesValue: boolean): string[] {
  const problems: string[] = [];
  const { stream, customProperty } = ctx.policy;
  if (!app.published) {
    problems.push(`is not published: publish it to stream "${stream}" in the QMC`);
  } else if (app.streamName !== stream) {
    problems.push(`is published to stream "${app.streamName ?? '(none)'}", not "${stream}": move it to "${stream}" (the policy requires it)`);
  }
  if (!carriesValue) {
    problems.push(`does not carry custom property ${customProperty} = "${ctx.tenant.name}": re-run the policy phase or set it in the QMC`);
  }
  const failed = lastReloadFailed(tasks.filter((task) => task.app.id === app.id));
  if (failed === true) {
    problems.push('failed its last reload: fix the load script or data source and reload it successfully');
  } else if (failed === undefined && !hasReloaded(app)) {
    problems.push('has never been reloaded: reload it once on QSEoW');
  }
  // A pre-check on the QVF file (what QRS knows): Qlik Cloud's limit is on the app in memory, usually larger than
  // the file, so phase 5 checks the copy's in-memory size again once it arrived (cloud-copies.ts memoryWarning).
  if (app.fileSize > ctx.limits.maxAppSizeBytes) {
    problems.push(`is a ${size(app.fileSize)} file, over the ${size(ctx.limits.maxAppSizeBytes)} limit (and larger still in memory): reduce its data or raise limits.maxAppSize (the tenant needs Expanded Apps or dedicated capacity)`);
  }
  return problems;
}

/**
 * Why phase 1 would not add the tenant's value to any app (undefined: every app meets the rule but for that value).
 * Read-only: assertDistributable throws it, the dry run shows it as the policy line's problem.
 */
export function notDistributable(apps: AppFacts[], tasks: ReloadTask[], ctx: PhaseContext, target: string): string | undefined {
  const problems = apps.flatMap((app) => appProblems(app, tasks, ctx, true).map((problem) => `app "${app.name}" (${app.id}) ${problem}`));
  if (problems.length === 0) return undefined;
  return `Tenant ${ctx.tenant.name}: ${problems.length} problem(s) on ${target}, so its value was not added to any app and QSEoW distributes nothing: ${problems.join('; ')}.`;
}

/** Before phase 1 adds the tenant's value: every app must already meet the rule but for that value. */
export async function assertDistributable(qrs: Transport, apps: AppFacts[], ctx: PhaseContext): Promise<void> {
  const tasks = await reloadTasksOfApps(qrs, apps.map((app) => app.id));
  const problem = notDistributable(apps, tasks, ctx, qrs.target);
  if (problem) throw verificationFailure(problem);
}
