/**
 * Phase 6: after a reload on QSEoW the distribution service updates the tenant's copy in place (same app, same
 * space; doc KB-MC). Wait until the copy carries that reload, then check what a person or a fault may have broken
 * and repair it: the copy back in its managed space, the managed space itself, the multi-cloud IdP (only this
 * tool's, create-first: ensure-idp.ts). A copy that does not come is re-sent (resend.ts); QSEoW's failure records
 * are shown, never parsed into repairs (assumption A8). Other distributed apps of the same name are reported, never
 * deleted.
 */
import type { Logger } from 'pino';
import type { PhaseContext } from '../plan/types';
import { cloudClient } from '../qlik/cloud/client';
import { configFailure, notYetFailure } from '../qlik/errors';
import { findAppsByName, pickPlanApp, type AppFacts } from '../qlik/qrs/apps';
import { qrsClient } from '../qlik/qrs/client';
import { distributionFailures } from '../qlik/qrs/execution-results';
import type { Transport } from '../qlik/transport';
import { sanitizeForDisplay } from '../shared/display';
import { carriesReload, chooseCopy, ensureManagedSpace, findDistributedCopies, missingCopyEvidence, type DistributedCopy } from './cloud-copies';
import { ensureMultiCloudIdp } from './ensure-idp';
import { placeInSpace } from './first-publish';
import { distributionOf, resendAdvice, resendDue, resendIfDue, type ResendProgress } from './resend';
import { ensureSpaceMembers, memberRepairs } from './space-members';
import { heartbeat, lastHeartbeat, pause, runPhase, type ResolvedDeps } from './scope';
import type { SyncAfterReloadInput, SyncAfterReloadResult } from './types';

interface SyncProgress {
  repairs: string[];
  duplicates?: string[];
  found?: string;
  resend?: ResendProgress;
}

async function sourceApp(qrs: Transport, ctx: PhaseContext, appName: string): Promise<AppFacts> {
  const spec = ctx.apps.find((app) => app.name === appName);
  const app = spec && pickPlanApp(await findAppsByName(qrs, [appName]), spec.name, spec.stream);
  if (!app) throw configFailure(`Tenant ${ctx.tenant.name}: app "${appName}" is not in the plan or no longer on ${qrs.target}; fix the plan's apps[].`);
  return app;
}

/**
 * Other distributed apps of the same name are reported, never deleted: nothing proves that this distribution made
 * them (another QSEoW site may distribute an app of that name), and a deleted managed-space app cannot be restored.
 */
function reportDuplicates(duplicates: DistributedCopy[], progress: SyncProgress, log: Logger): void {
  for (const duplicate of duplicates) {
    log.warn({ duplicate: duplicate.id, spaceId: duplicate.spaceId }, 'another distributed app carries the same name; left alone');
  }
  progress.duplicates = duplicates.map((duplicate) => duplicate.id);
}

/** Before a re-send: the prerequisites of a delivery are in place (the IdP may have been deleted or gone stale). */
async function checkIdpBeforeResend(ctx: PhaseContext, progress: SyncProgress, log: Logger): Promise<void> {
  const idp = await ensureMultiCloudIdp(ctx, log);
  if (idp.idp !== 'unchanged') progress.repairs.push(`${idp.idp === 'created' ? 're-created' : 'renewed'} the multi-cloud IdP (${idp.idpId})`);
}

/** What QSEoW says about the app's distributions (documented: App.lastDataDistribution; A8: failure records). */
async function failureReport(qrs: Transport, ctx: PhaseContext, source: AppFacts, reloadTime: string): Promise<string> {
  const [failures, now] = await Promise.all([
    distributionFailures(qrs, source.id, ctx.tenant.name, reloadTime).catch(() => []),
    findAppsByName(qrs, [source.name]).then((apps) => apps.find((app) => app.id === source.id)).catch(() => undefined),
  ]);
  const distributed = now?.lastDataDistribution;
  const since = distributed && Date.parse(distributed) >= Date.parse(reloadTime)
    ? ` QSEoW last distributed the app at ${distributed} (after the reload, to some deployment).`
    : ' QSEoW has not distributed the app to any deployment since the reload (App.lastDataDistribution).';
  const latest = failures.at(-1);
  return `${since}${latest ? ` QSEoW recorded ${failures.length} failed run(s) mentioning "${ctx.tenant.name}" since the reload, latest: "${sanitizeForDisplay(latest.message, 300)}".` : ''}`;
}

export async function syncAfterReload(input: SyncAfterReloadInput, deps: ResolvedDeps): Promise<SyncAfterReloadResult> {
  const { ctx, appName, reloadTime } = input;
  return runPhase(deps, 'sync', ctx.tenant.name, async (log) => {
    const qrs = await qrsClient(ctx.source);
    const cloud = cloudClient(ctx.tenant);
    const spec = distributionOf(ctx);
    const source = await sourceApp(qrs, ctx, appName);
    const previous = lastHeartbeat<SyncProgress>();
    const progress: SyncProgress = { repairs: [...(previous?.repairs ?? [])], found: previous?.found, resend: previous?.resend };
    const deadline = Date.now() + deps.arrivalTimeoutMs;
    const { space, change } = await ensureManagedSpace(cloud, ctx.tenant.name, ctx.tenant.managedSpace);
    if (change === 'created') progress.repairs.push(`re-created managed space "${space.name}"`);
    for (;;) {
      const search = await findDistributedCopies(cloud, appName);
      const choice = chooseCopy(search.copies, { tenant: ctx.tenant.name, sourceAppId: source.id, managedSpaceId: space.id, knownId: progress.found ?? input.cloudAppId });
      if (choice) progress.found = choice.copy.id;
      if (choice && carriesReload(choice.copy, reloadTime, spec.reloadTimeToleranceMs)) {
        const placed = await placeInSpace(cloud, choice.copy, space, log);
        if (placed.assignment === 'updated') progress.repairs.push(`moved ${placed.copy.id} back into managed space "${space.name}"`);
        reportDuplicates(choice.duplicates, progress, log);
        const members = await ensureSpaceMembers(cloud, ctx, space, change === 'created', log);
        progress.repairs.push(...memberRepairs(members));
        heartbeat(progress);
        return {
          appName, cloudAppId: placed.copy.id, lastReloadTime: placed.copy.lastReloadTime ?? '', repairs: progress.repairs, members,
          ...(progress.duplicates?.length ? { duplicates: progress.duplicates } : {}),
        };
      }
      const resend = (progress.resend ??= { waitingSince: Date.now(), resends: 0 });
      if (resendDue(resend, spec)) await checkIdpBeforeResend(ctx, progress, log);
      await resendIfDue(qrs, source, spec, resend, log);
      heartbeat(progress);
      if (Date.now() >= deadline) {
        const found = choice ? `the copy ${choice.copy.id} carries ${choice.copy.lastReloadTime ?? 'no reload time'}` : `no distributed copy found.${missingCopyEvidence(search)}`;
        throw notYetFailure(
          `Tenant ${ctx.tenant.name}: the copy of "${appName}" does not carry the reload of ${reloadTime} yet after ${Math.round(deps.arrivalTimeoutMs / 1000)}s (${found}) (will retry).${await failureReport(qrs, ctx, source, reloadTime)}${resendAdvice(spec, progress.resend)}`,
        );
      }
      await pause(deps.pollIntervalMs);
    }
  });
}
