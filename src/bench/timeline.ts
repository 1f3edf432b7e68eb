/**
 * Where a tenant's time goes, read from its workflow history: how long after the rollout began it started, and
 * then, summed over its activities, the time each waited in the task queue (scheduled -> started), ran
 * (started -> completed, the Qlik calls), and the gaps between one activity's end and the next one's scheduling
 * (workflow tasks: the worker deciding, the server recording).
 */
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';

export interface TenantTimeline {
  startDelayMs: number;
  queuedMs: number;
  runningMs: number;
  decidingMs: number;
  totalMs: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export function tenantTimeline(events: HistoryEvent[], rolloutStartedMs: number): TenantTimeline | undefined {
  if (events.length === 0) return undefined;
  const at = (event: HistoryEvent) => tsToMs(event.eventTime);
  const byId = new Map(events.map((event) => [Number(event.eventId), event]));
  const timeline: TenantTimeline = { startDelayMs: at(events[0]) - rolloutStartedMs, queuedMs: 0, runningMs: 0, decidingMs: 0, totalMs: at(events[events.length - 1]) - at(events[0]) };
  let previousEnd = at(events[0]);
  for (const event of events) {
    const done = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes;
    if (!done) continue;
    const scheduled = byId.get(Number(done.scheduledEventId));
    const started = byId.get(Number(done.startedEventId));
    if (!scheduled || !started) continue;
    timeline.decidingMs += Math.max(0, at(scheduled) - previousEnd);
    timeline.queuedMs += at(started) - at(scheduled);
    timeline.runningMs += at(event) - at(started);
    previousEnd = at(event);
  }
  timeline.decidingMs += Math.max(0, at(events[events.length - 1]) - previousEnd);
  return timeline;
}

/** Mean of each part over the sampled tenants. */
export function meanTimeline(timelines: TenantTimeline[]): TenantTimeline | undefined {
  if (timelines.length === 0) return undefined;
  const mean = (pick: (t: TenantTimeline) => number) => Math.round(timelines.reduce((sum, t) => sum + pick(t), 0) / timelines.length);
  return {
    startDelayMs: mean((t) => t.startDelayMs),
    queuedMs: mean((t) => t.queuedMs),
    runningMs: mean((t) => t.runningMs),
    decidingMs: mean((t) => t.decidingMs),
    totalMs: mean((t) => t.totalMs),
  };
}
