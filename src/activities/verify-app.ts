/**
 * Phase 2: every plan app meets what distribution needs: published in the policy stream, carrying the tenant's
 * custom property value, last reload succeeded, and not larger than the plan's limit. Every problem is listed
 * with how to fix it, in one non-retryable failure.
 */
import type { PhaseContext } from '../plan/types';
import { verificationFailure } from '../qlik/errors';
import { appsCarryingValue } from '../qlik/qrs/apps';
import { qrsClient } from '../qlik/qrs/client';
import { reloadTasksOfApps } from '../qlik/qrs/reload-tasks';
import { appProblems } from './app-readiness';
import { resolvePlanApps } from './ensure-policy';
import { runPhase, type ResolvedDeps } from './scope';
import type { VerifiedApp, VerifyAppResult } from './types';

export { appProblems };

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
