/**
 * Phase 2: every plan app meets what distribution needs: published in the policy stream, carrying the tenant's
 * custom property value, last reload succeeded, and not larger than the plan's limit. Every problem is listed
 * with how to fix it, in one non-retryable failure.
 */
import type { PhaseContext } from '../plan/types';
import { verificationFailure } from '../qlik/errors';
import { appsCarryingValue, hasReloaded, type AppFacts } from '../qlik/qrs/apps';
import { qrsClient } from '../qlik/qrs/client';
import { lastReloadFailed, reloadTasksOfApps, type ReloadTask } from '../qlik/qrs/reload-tasks';
import { resolvePlanApps } from './ensure-policy';
import { runPhase, type ResolvedDeps } from './scope';
import type { VerifiedApp, VerifyAppResult } from './types';

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

export async function verifyApp(ctx: PhaseContext, deps: ResolvedDeps): Promise<VerifyAppResult> {
  return runPhase(deps, 'verify', ctx.tenant.name, async () => {
    const qrs = await qrsClient(ctx.source);
    const apps = await resolvePlanApps(qrs, ctx);
    const appIds = apps.map((app) => app.id);
    const [tasks, carrying] = await Promise.all([reloadTasksOfApps(qrs, appIds), appsCarryingValue(qrs, appIds, ctx.policy.customProperty, ctx.tenant.name)]);
    const problems = apps.flatMap((app) => appProblems(app, tasks, ctx, carrying.has(app.id)).map((problem) => `app "${app.name}" (${app.id}) ${problem}`));
    if (problems.length > 0) {
      throw verificationFailure(`Tenant ${ctx.tenant.name}: ${problems.length} problem(s) on ${qrs.target}: ${problems.join('; ')}.`);
    }
    return {
      apps: apps.map((app): VerifiedApp => ({
        name: app.name,
        appId: app.id,
        stream: app.streamName ?? '',
        fileSize: app.fileSize,
        lastReloadTime: app.lastReloadTime ?? '',
      })),
    };
  });
}
