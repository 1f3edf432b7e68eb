/**
 * The one way this project creates a worker: tests, the CLI's `worker` command and the production entry point
 * all call createWorker, so tuning and workflow loading are the same everywhere.
 */
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { PhaseActivities } from '../activities/types';
import { dataConverter } from '../shared/payload-codec';

export interface WorkerTuning {
  /** Phase activities mostly wait on Qlik over HTTP, so many fit on 2 cores. */
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflow tasks are CPU-bound; about 5 per core keeps latency low without starving activities. */
  maxConcurrentWorkflowTaskExecutions?: number;
  /** Sticky cache: a cached workflow skips replay on its next task. Each costs memory (its V8 context state). */
  maxCachedWorkflows?: number;
  /** Per-worker ceiling on activity starts per second (protects Qlik Cloud rate limits). */
  maxActivitiesPerSecond?: number;
  /** Server-enforced ceiling across every worker of the task queue. */
  maxTaskQueueActivitiesPerSecond?: number;
  /**
   * Heartbeats without a heartbeatTimeout are sent at this interval; cancellation reaches an activity on its
   * next heartbeat, so this bounds how long an abort takes to stop a running activity.
   */
  defaultHeartbeatThrottleIntervalMs?: number;
  /** How long shutdown waits for running activities before cancelling them. */
  shutdownGraceTimeMs?: number;
}

/** Defaults sized for a 2-core machine. */
export const DEFAULT_TUNING: Required<Pick<WorkerTuning, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'shutdownGraceTimeMs' | 'defaultHeartbeatThrottleIntervalMs'>> = {
  maxConcurrentActivityTaskExecutions: 50,
  maxConcurrentWorkflowTaskExecutions: 10,
  maxCachedWorkflows: 300,
  shutdownGraceTimeMs: 10_000,
  defaultHeartbeatThrottleIntervalMs: 2_000,
};

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Usually createActivities(...) from src/activities; tests may pass their own implementations. */
  activities: Partial<PhaseActivities> | object;
  /** A prebuilt bundle (production, tests); otherwise the workflows are bundled from workflowsPath at start. */
  workflowBundle?: { codePath: string } | { code: string };
  workflowsPath?: string;
  tuning?: WorkerTuning;
  /** Escape hatch for options this module does not model (interceptors, sinks, identity...). */
  extra?: Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowBundle' | 'workflowsPath'>;
}

export const DEFAULT_WORKFLOWS_PATH = require.resolve('../workflows');

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const tuning = { ...DEFAULT_TUNING, ...options.tuning };
  const workflows = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: options.workflowsPath ?? DEFAULT_WORKFLOWS_PATH };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...workflows,
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
    maxCachedWorkflows: tuning.maxCachedWorkflows,
    maxActivitiesPerSecond: tuning.maxActivitiesPerSecond,
    maxTaskQueueActivitiesPerSecond: tuning.maxTaskQueueActivitiesPerSecond,
    shutdownGraceTime: tuning.shutdownGraceTimeMs,
    defaultHeartbeatThrottleInterval: tuning.defaultHeartbeatThrottleIntervalMs,
    dataConverter,
    ...options.extra,
  });
}
