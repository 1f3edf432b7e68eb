/**
 * The reload watcher's poll: one filtered QRS call for the plan apps' lastReloadTime, every pollIntervalMs,
 * heartbeating; returns as soon as any app reloaded after what was already handled, or [] after maxWaitMs so the
 * workflow can handle messages and continue-as-new.
 */
import { findAppsByName, hasReloaded, pickPlanApp } from '../qlik/qrs/apps';
import { qrsClient } from '../qlik/qrs/client';
import { heartbeat, pause, runPhase, type ResolvedDeps } from './scope';
import type { ReloadObservation, WatchReloadsInput } from './types';

export async function watchReloads(input: WatchReloadsInput, deps: ResolvedDeps): Promise<ReloadObservation[]> {
  return runPhase(deps, 'watch', undefined, async () => {
    const qrs = await qrsClient(input.source);
    const deadline = Date.now() + input.maxWaitMs;
    for (let poll = 1; ; poll++) {
      const candidates = await findAppsByName(qrs, input.apps.map((app) => app.name));
      const observations: ReloadObservation[] = [];
      for (const spec of input.apps) {
        const app = pickPlanApp(candidates, spec.name, spec.stream);
        if (!app || !hasReloaded(app)) continue;
        const since = input.since[spec.name];
        if (!since || Date.parse(app.lastReloadTime!) > Date.parse(since)) {
          observations.push({ appName: app.name, appId: app.id, lastReloadTime: app.lastReloadTime! });
        }
      }
      heartbeat({ poll });
      if (observations.length > 0 || Date.now() + input.pollIntervalMs > deadline) return observations;
      await pause(input.pollIntervalMs);
    }
  });
}
