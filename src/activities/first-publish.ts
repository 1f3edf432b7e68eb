/**
 * Phase 5: the first distribution arrives staged (no space, no owner); wait for it (heartbeating, resuming from
 * the last heartbeat), make sure the tenant's managed space exists, and "Set space" on each staged copy.
 */
import type { PhaseContext } from '../plan/types';
import { cloudClient } from '../qlik/cloud/client';
import { getCloudApp, moveAppToSpace, spaceOf, type CloudApp } from '../qlik/cloud/apps';
import { isHttpStatus, notYetFailure } from '../qlik/errors';
import { qrsClient } from '../qlik/qrs/client';
import type { Transport } from '../qlik/transport';
import { ensureManagedSpace, findCopies, primaryCopy } from './cloud-copies';
import { resolvePlanApps } from './ensure-policy';
import { heartbeat, lastHeartbeat, pause, runPhase, type ResolvedDeps } from './scope';
import type { FirstPublishResult, PublishedApp } from './types';

/** Heartbeat details: copies already found, by QSEoW app id, so a retry skips the search. */
interface PublishProgress {
  found: Record<string, string>;
}

async function findArrived(cloud: Transport, sourceAppId: string, name: string, knownId: string | undefined, spaceId: string): Promise<CloudApp | undefined> {
  if (knownId) {
    // A copy found by an earlier attempt; 404 = deleted since, so search again.
    const known = await getCloudApp(cloud, knownId).catch((err: unknown) => {
      if (isHttpStatus(err, 404)) return undefined;
      throw err;
    });
    if (known) return known;
  }
  return primaryCopy(await findCopies(cloud, name, sourceAppId), spaceId);
}

export async function firstPublish(ctx: PhaseContext, deps: ResolvedDeps): Promise<FirstPublishResult> {
  return runPhase(deps, 'publish', ctx.tenant.name, async (log) => {
    const qrs = await qrsClient(ctx.source);
    const cloud = cloudClient(ctx.tenant);
    const sources = await resolvePlanApps(qrs, ctx);
    const { space, change: spaceChange } = await ensureManagedSpace(cloud, ctx.tenant.name, ctx.tenant.managedSpace);
    const progress: PublishProgress = { found: { ...lastHeartbeat<PublishProgress>()?.found } };
    const arrived = new Map<string, CloudApp>();
    const deadline = Date.now() + deps.arrivalTimeoutMs;
    for (;;) {
      for (const source of sources) {
        if (arrived.has(source.id)) continue;
        const copy = await findArrived(cloud, source.id, source.name, progress.found[source.id], space.id);
        if (copy) {
          arrived.set(source.id, copy);
          progress.found[source.id] = copy.attributes.id;
        }
      }
      heartbeat(progress);
      if (arrived.size === sources.length) break;
      if (Date.now() >= deadline) {
        const missing = sources.filter((source) => !arrived.has(source.id)).map((source) => `"${source.name}"`);
        throw notYetFailure(
          `Tenant ${ctx.tenant.name}: ${missing.join(', ')} not distributed yet after ${Math.round(deps.arrivalTimeoutMs / 1000)}s; check the distribution policy, the deployment and the multi-cloud IdP (will retry).`,
        );
      }
      await pause(deps.pollIntervalMs);
    }
    const apps: PublishedApp[] = [];
    for (const source of sources) {
      let copy = arrived.get(source.id)!;
      let assignment: PublishedApp['assignment'] = 'unchanged';
      if (spaceOf(copy) !== space.id) {
        log.info({ cloudAppId: copy.attributes.id, spaceId: space.id }, 'moving staged app into the managed space');
        copy = await moveAppToSpace(cloud, copy.attributes.id, space.id);
        assignment = 'updated';
      }
      apps.push({
        name: source.name,
        sourceAppId: source.id,
        cloudAppId: copy.attributes.id,
        spaceId: space.id,
        assignment,
        lastReloadTime: copy.attributes.lastReloadTime ?? '',
      });
    }
    return { spaceId: space.id, space: spaceChange, apps };
  });
}
