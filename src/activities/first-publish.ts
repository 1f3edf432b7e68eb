/**
 * Phase 5: the first distribution arrives staged (no space, no owner); find each app's copy the way Qlik's
 * move-distributed-apps example does (cloud-copies.ts), make sure the tenant's managed space exists, and
 * "Set space" on each copy as soon as it is there: one app that does not arrive never holds back the others.
 * A copy still missing after distribution.resendAfterMs is re-sent (resend.ts). Then the plan's members go into the
 * space and, with a verification identity, a customer's look confirms the apps open (space-members.ts). Progress (copies found, placed,
 * re-sends) is heartbeated, so a retry resumes where the last attempt stopped.
 */
import type { Logger } from 'pino';
import type { PhaseContext } from '../plan/types';
import { cloudClient } from '../qlik/cloud/client';
import { moveAppToSpace } from '../qlik/cloud/apps';
import type { Space } from '../qlik/cloud/spaces';
import { notYetFailure } from '../qlik/errors';
import { qrsClient } from '../qlik/qrs/client';
import type { AppFacts } from '../qlik/qrs/apps';
import type { Transport } from '../qlik/transport';
import { chooseCopy, ensureManagedSpace, findDistributedCopies, knownCopy, memoryWarning, missingCopyEvidence, ourIdpSince, type CopyChoice, type DistributedCopy } from './cloud-copies';
import { resolvePlanApps } from './ensure-policy';
import { checkCustomerAccess, ensureSpaceMembers } from './space-members';
import { distributionOf, resendAdvice, resendIfDue, type ResendProgress } from './resend';
import { heartbeat, lastHeartbeat, pause, runPhase, type ResolvedDeps } from './scope';
import type { FirstPublishResult, PublishedApp } from './types';

/** Heartbeat details: per QSEoW app id, the copy found and whether it is placed, and the re-sends made. */
interface PublishProgress {
  found: Record<string, string>;
  resend: Record<string, ResendProgress>;
}

/** The copy in the managed space: moved there now ('updated') or already there ('unchanged'). */
export async function placeInSpace(cloud: Transport, copy: DistributedCopy, space: Space, log: Logger): Promise<{ copy: DistributedCopy; assignment: PublishedApp['assignment'] }> {
  if (copy.spaceId === space.id) return { copy, assignment: 'unchanged' };
  log.info({ cloudAppId: copy.id, from: copy.spaceId ?? 'staged', spaceId: space.id }, 'moving the distributed app into the managed space');
  const moved = await moveAppToSpace(cloud, copy.id, space.id);
  return { copy: { ...copy, spaceId: space.id, lastReloadTime: moved.attributes.lastReloadTime ?? copy.lastReloadTime }, assignment: 'updated' };
}

export async function firstPublish(ctx: PhaseContext, deps: ResolvedDeps): Promise<FirstPublishResult> {
  return runPhase(deps, 'publish', ctx.tenant.name, async (log) => {
    const qrs = await qrsClient(ctx.source);
    const cloud = cloudClient(ctx.tenant);
    const spec = distributionOf(ctx);
    const sources = await resolvePlanApps(qrs, ctx);
    const { space, change: spaceChange } = await ensureManagedSpace(cloud, ctx.tenant.name, ctx.tenant.managedSpace);
    const idpSince = await ourIdpSince(cloud, ctx.tenant.name);
    const previous = lastHeartbeat<PublishProgress>();
    const progress: PublishProgress = { found: { ...previous?.found }, resend: { ...previous?.resend } };
    const published = new Map<string, PublishedApp>();
    const evidence = new Map<string, string>();
    const deadline = Date.now() + deps.arrivalTimeoutMs;
    for (;;) {
      for (const source of sources) {
        if (published.has(source.id)) continue;
        const placed = await publishOne(cloud, ctx, source, space, idpSince, progress, log);
        if ('missing' in placed) evidence.set(source.id, placed.missing);
        else published.set(source.id, placed.app);
      }
      heartbeat(progress);
      const missing = sources.filter((source) => !published.has(source.id));
      if (missing.length === 0) break;
      for (const source of missing) {
        const state = (progress.resend[source.id] ??= { waitingSince: Date.now(), resends: 0 });
        await resendIfDue(qrs, source, spec, state, log);
      }
      heartbeat(progress);
      if (Date.now() >= deadline) throw notArrived(ctx, missing, evidence, spec, progress, deps);
      await pause(deps.pollIntervalMs);
    }
    // Customers can open what was published: the plan's members in the space, then a look as a customer would.
    const members = await ensureSpaceMembers(cloud, ctx, space, spaceChange === 'created', log);
    const apps = sources.map((source) => published.get(source.id)!);
    const customerAccess = await checkCustomerAccess(ctx, space, apps, log);
    return { spaceId: space.id, space: spaceChange, apps, members, customerAccess };
  });
}

async function publishOne(
  cloud: Transport,
  ctx: PhaseContext,
  source: AppFacts,
  space: Space,
  idpSince: string | undefined,
  progress: PublishProgress,
  log: Logger,
): Promise<{ app: PublishedApp } | { missing: string }> {
  const knownId = progress.found[source.id];
  const known = knownId ? await knownCopy(cloud, knownId, source.name) : undefined;
  let choice: CopyChoice | undefined = known && { copy: known, duplicates: [] };
  if (!choice) {
    const search = await findDistributedCopies(cloud, source.name);
    choice = chooseCopy(search.copies, { tenant: ctx.tenant.name, sourceAppId: source.id, managedSpaceId: space.id, knownId, notStagedBefore: idpSince });
    if (!choice) return { missing: missingCopyEvidence(search) };
  }
  progress.found[source.id] = choice.copy.id;
  if (choice.duplicates.length > 0) {
    log.warn({ cloudAppId: choice.copy.id, duplicates: choice.duplicates.map((d) => d.id) }, 'other distributed apps carry the same name; left alone');
  }
  const { copy, assignment } = await placeInSpace(cloud, choice.copy, space, log);
  const warning = memoryWarning(choice.copy, ctx.limits.maxAppSizeBytes);
  if (warning) log.warn({ cloudAppId: copy.id }, warning);
  return {
    app: {
      name: source.name,
      sourceAppId: source.id,
      cloudAppId: copy.id,
      spaceId: space.id,
      assignment,
      lastReloadTime: copy.lastReloadTime ?? '',
      ...(choice.duplicates.length > 0 ? { duplicates: choice.duplicates.map((d) => d.id) } : {}),
      ...(warning ? { warning } : {}),
    },
  };
}

function notArrived(ctx: PhaseContext, missing: AppFacts[], evidence: Map<string, string>, spec: ReturnType<typeof distributionOf>, progress: PublishProgress, deps: ResolvedDeps): Error {
  const names = missing.map((source) => `"${source.name}"`).join(', ');
  const details = missing.map((source) => `${evidence.get(source.id) ?? ''}${resendAdvice(spec, progress.resend[source.id])}`).join('').trim();
  return notYetFailure(
    `Tenant ${ctx.tenant.name}: ${names} not distributed yet after ${Math.round(deps.arrivalTimeoutMs / 1000)}s; check the distribution policy, the deployment and the multi-cloud IdP (will retry).${details ? ` ${details}` : ''}`,
  );
}
