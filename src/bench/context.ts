/** What every scenario gets from the bench entry point. */
import type { TemporalTarget } from './stack';
import type { WorkerChildSettings } from './worker-child';

export interface BenchContext {
  temporal: TemporalTarget;
  bundlePath: string;
  profileDir?: string;
  log: (line: string) => void;
  /** Worker settings every scenario shares (cache size, write coalescing). */
  worker: { cachedWorkflows: number; coalesceWrites: boolean; heapMiB: number };
}

/** The worker settings of a scenario: `activitySlots` concurrent activities, the shared cache and coalescing. */
export function workerSettings(ctx: BenchContext, activitySlots: number, pollIntervalMs: number): Pick<WorkerChildSettings, 'tuning' | 'activityDeps'> {
  return {
    tuning: { maxConcurrentActivityTaskExecutions: activitySlots, maxConcurrentWorkflowTaskExecutions: 10, maxCachedWorkflows: ctx.worker.cachedWorkflows },
    activityDeps: { pollIntervalMs, coalesceWrites: ctx.worker.coalesceWrites },
  };
}

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
