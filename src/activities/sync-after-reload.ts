/**
 * Phase 6: after a reload on QSEoW the distribution service updates the tenant's copy in place. Wait until the
 * copy carries that reload, then check what a person or a fault may have broken and repair it: the copy back in
 * its managed space, exactly one copy, and (when QSEoW reports that sending to the tenant failed) the
 * multi-cloud IdP re-made with the current token, which makes QSEoW send again.
 */
import type { Logger } from 'pino';
import type { PhaseContext } from '../plan/types';
import { cloudClient } from '../qlik/cloud/client';
import { deleteCloudApp, moveAppToSpace, spaceOf, type CloudApp } from '../qlik/cloud/apps';
import { configFailure, notYetFailure } from '../qlik/errors';
import { findAppsByName, pickPlanApp, type AppFacts } from '../qlik/qrs/apps';
import { qrsClient } from '../qlik/qrs/client';
import { distributionFailures } from '../qlik/qrs/execution-results';
import type { Transport } from '../qlik/transport';
import { ensureManagedSpace, findCopies, primaryCopy } from './cloud-copies';
import { ensureMultiCloudIdp } from './ensure-idp';
import { heartbeat, lastHeartbeat, pause, runPhase, type ResolvedDeps } from './scope';
import type { SyncAfterReloadInput, SyncAfterReloadResult } from './types';

interface SyncProgress {
  repairs: string[];
  /** Distribution failures up to this time were already answered with an IdP repair. */
  failuresHandledUntil?: string;
}

const notOlder = (time: string | null | undefined, reference: string) => Boolean(time) && Date.parse(time!) >= Date.parse(reference);

async function sourceApp(qrs: Transport, ctx: PhaseContext, appName: string): Promise<AppFacts> {
  const spec = ctx.apps.find((app) => app.name === appName);
  const app = spec && pickPlanApp(await findAppsByName(qrs, [appName]), spec.name, spec.stream);
  if (!app) throw configFailure(`Tenant ${ctx.tenant.name}: app "${appName}" is not in the plan or no longer on ${qrs.target}; fix the plan's apps[].`);
  return app;
}

/** If QSEoW says sending to this tenant failed since the reload, re-make the IdP (the usual cause). */
async function repairFailedDistribution(qrs: Transport, ctx: PhaseContext, source: AppFacts, progress: SyncProgress, since: string, log: Logger): Promise<void> {
  const failures = await distributionFailures(qrs, source.id, ctx.tenant.name, progress.failuresHandledUntil ?? since);
  if (failures.length === 0) return;
  const latest = failures.map((failure) => failure.at).sort().at(-1)!;
  log.warn({ failures: failures.length, message: failures.at(-1)?.message }, 'QSEoW failed to distribute to the tenant; checking the multi-cloud IdP');
  const idp = await ensureMultiCloudIdp(ctx, log);
  if (idp.idp !== 'unchanged') progress.repairs.push(`re-created the multi-cloud IdP (${idp.idp}) after a failed distribution`);
  progress.failuresHandledUntil = new Date(Date.parse(latest) + 1).toISOString();
}

async function placeCopy(cloud: Transport, ctx: PhaseContext, copies: CloudApp[], progress: SyncProgress): Promise<CloudApp> {
  const { space, change } = await ensureManagedSpace(cloud, ctx.tenant.name, ctx.tenant.managedSpace);
  if (change === 'created') progress.repairs.push(`re-created managed space "${space.name}"`);
  let primary = primaryCopy(copies, space.id)!;
  for (const extra of copies.filter((copy) => copy !== primary)) {
    await deleteCloudApp(cloud, extra.attributes.id);
    progress.repairs.push(`deleted duplicate copy ${extra.attributes.id}`);
  }
  if (spaceOf(primary) !== space.id) {
    primary = await moveAppToSpace(cloud, primary.attributes.id, space.id);
    progress.repairs.push(`moved ${primary.attributes.id} back into managed space "${space.name}"`);
  }
  return primary;
}

export async function syncAfterReload(input: SyncAfterReloadInput, deps: ResolvedDeps): Promise<SyncAfterReloadResult> {
  const { ctx, appName, reloadTime } = input;
  return runPhase(deps, 'sync', ctx.tenant.name, async (log) => {
    const qrs = await qrsClient(ctx.source);
    const cloud = cloudClient(ctx.tenant);
    const source = await sourceApp(qrs, ctx, appName);
    const previous = lastHeartbeat<SyncProgress>();
    const progress: SyncProgress = { repairs: [...(previous?.repairs ?? [])], failuresHandledUntil: previous?.failuresHandledUntil };
    const deadline = Date.now() + deps.arrivalTimeoutMs;
    for (;;) {
      const copies = await findCopies(cloud, appName, source.id);
      const current = copies.filter((copy) => notOlder(copy.attributes.lastReloadTime, reloadTime));
      if (current.length > 0) {
        // Keep the copy in the space if it is current; duplicates are deleted whatever their reload time.
        const primary = await placeCopy(cloud, ctx, copies, progress);
        heartbeat(progress);
        return { appName, cloudAppId: primary.attributes.id, lastReloadTime: primary.attributes.lastReloadTime ?? '', repairs: progress.repairs };
      }
      await repairFailedDistribution(qrs, ctx, source, progress, reloadTime, log);
      heartbeat(progress);
      if (Date.now() >= deadline) {
        throw notYetFailure(`Tenant ${ctx.tenant.name}: the copy of "${appName}" does not carry the reload of ${reloadTime} yet after ${Math.round(deps.arrivalTimeoutMs / 1000)}s (will retry).`);
      }
      await pause(deps.pollIntervalMs);
    }
  });
}
