/**
 * Per-phase activity options: each phase gets its own timeouts and retry policy, and every call carries a
 * readable summary ("ensureIdp for tenant-007") for the Web UI. Workflow-safe.
 */
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { FailureTypes, PhaseActivities } from '../activities/types';
import type { ActivityRetryOptions, PhaseName } from './messages';

/** Failures a retry cannot fix: a person has to change the plan, the credentials or the app. */
// Literals (activities may only be imported as types in workflow code), checked against FailureTypes by the compiler.
export const NON_RETRYABLE_FAILURES: Array<(typeof FailureTypes)['Config' | 'Verification']> = ['QlikConfigError', 'AppVerificationError'];

/** Which activity implements which phase. */
export const PHASE_ACTIVITY = {
  policy: 'ensurePolicy',
  verify: 'verifyApp',
  deployment: 'ensureDeployment',
  idp: 'ensureIdp',
  publish: 'firstPublish',
  sync: 'syncAfterReload',
} as const satisfies Record<PhaseName, keyof PhaseActivities>;

interface PhaseTiming {
  startToCloseMs: number;
  /** Every phase heartbeats while it runs (runPhase, once a second), so a killed or frozen worker is noticed this soon. */
  heartbeatMs: number;
}

/**
 * Configuration calls are quick, but a call may wait in the transport's Retry-After gate; publish and sync wait for
 * the distribution to arrive in the tenant. A lost worker is noticed by the heartbeat timeout (10 s), not the
 * start-to-close timeout (which was 60 s with no heartbeat for configuration phases: a SIGKILLed worker's activity
 * waited up to a minute).
 */
const HEARTBEAT_MS = 10_000;
const TIMING: Record<PhaseName | 'watch', PhaseTiming> = {
  policy: { startToCloseMs: 5 * 60_000, heartbeatMs: HEARTBEAT_MS },
  verify: { startToCloseMs: 5 * 60_000, heartbeatMs: HEARTBEAT_MS },
  deployment: { startToCloseMs: 5 * 60_000, heartbeatMs: HEARTBEAT_MS },
  idp: { startToCloseMs: 5 * 60_000, heartbeatMs: HEARTBEAT_MS },
  publish: { startToCloseMs: 15 * 60_000, heartbeatMs: HEARTBEAT_MS },
  sync: { startToCloseMs: 15 * 60_000, heartbeatMs: HEARTBEAT_MS },
  watch: { startToCloseMs: 15 * 60_000, heartbeatMs: 30_000 },
};

/**
 * Retries have no attempt limit: what ends them is time, per class of error, enforced by the activity
 * (src/activities/retry-budget.ts, plan section `retries`): 429s wait out Retry-After (nextRetryDelay) and never
 * count, transient errors retry for `retries.transient` (default 30 min), config errors fail at once
 * (nonRetryableErrorTypes and nonRetryable failures). `activityRetry.maximumAttempts` remains as an extra cap for
 * tests that want a failing tenant to stop after a few attempts; plans have no such setting.
 */
export function activityOptions(phase: PhaseName | 'watch', summary: string, retry: ActivityRetryOptions = {}): ActivityOptions {
  const timing = TIMING[phase];
  return {
    startToCloseTimeout: timing.startToCloseMs,
    heartbeatTimeout: timing.heartbeatMs,
    summary,
    retry: {
      initialInterval: retry.initialIntervalMs ?? 1_000,
      backoffCoefficient: 2,
      maximumInterval: retry.maximumIntervalMs ?? 30_000,
      // The reload watcher polls forever; phases retry until their time budget is spent (undefined = unlimited).
      maximumAttempts: phase === 'watch' ? undefined : retry.maximumAttempts,
      nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
    },
  };
}

/** The activities of one phase, with that phase's options and a summary naming the tenant. */
export function phaseActivities(phase: PhaseName | 'watch', subject: string, retry?: ActivityRetryOptions): PhaseActivities {
  const activity = phase === 'watch' ? 'watchReloads' : PHASE_ACTIVITY[phase];
  return proxyActivities<PhaseActivities>(activityOptions(phase, `${activity} for ${subject}`, retry));
}
