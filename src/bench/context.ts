/** What every scenario gets from the bench entry point. */
import { startStack, type BenchStack, type StackOptions, type TemporalTarget } from './stack';

export interface BenchContext {
  temporal: TemporalTarget;
  bundlePath: string;
  profileDir?: string;
  log: (line: string) => void;
  /** Worker settings every scenario shares (cache size, write coalescing). */
  worker: { cachedWorkflows: number; coalesceWrites: boolean; heapMiB: number };
}

/**
 * A scenario's stack: its simulator, a worker with `activitySlots` concurrent activities, the bench-wide settings.
 * `orchestrationOnly`: the worker's activities answer at once (see worker-child).
 */
export function startScenarioStack(ctx: BenchContext, simulator: StackOptions['simulator'], activitySlots: number, pollIntervalMs: number, orchestrationOnly = false): Promise<BenchStack> {
  return startStack({
    temporal: ctx.temporal,
    bundlePath: ctx.bundlePath,
    profileDir: ctx.profileDir,
    workerHeapMiB: ctx.worker.heapMiB,
    log: ctx.log,
    simulator,
    worker: {
      tuning: { maxConcurrentActivityTaskExecutions: activitySlots, maxConcurrentWorkflowTaskExecutions: 10, maxCachedWorkflows: ctx.worker.cachedWorkflows },
      activityDeps: { pollIntervalMs, coalesceWrites: ctx.worker.coalesceWrites },
      orchestrationOnly,
    },
  });
}

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
