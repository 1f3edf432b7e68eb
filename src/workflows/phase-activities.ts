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
  /** Only for activities that wait on Qlik (distribution arrival, reload polling) and heartbeat while waiting. */
  heartbeatMs?: number;
  maximumAttempts: number;
}

// Configuration calls are quick; publish and sync wait for the distribution to arrive in the tenant.
const TIMING: Record<PhaseName | 'watch', PhaseTiming> = {
  policy: { startToCloseMs: 60_000, maximumAttempts: 8 },
  verify: { startToCloseMs: 60_000, maximumAttempts: 8 },
  deployment: { startToCloseMs: 60_000, maximumAttempts: 8 },
  idp: { startToCloseMs: 60_000, maximumAttempts: 8 },
  publish: { startToCloseMs: 15 * 60_000, heartbeatMs: 30_000, maximumAttempts: 6 },
  sync: { startToCloseMs: 15 * 60_000, heartbeatMs: 30_000, maximumAttempts: 6 },
  watch: { startToCloseMs: 15 * 60_000, heartbeatMs: 30_000, maximumAttempts: 0 },
};

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
      // 0 = unlimited (the reload watcher polls forever); phases give up and wait for a person instead.
      maximumAttempts: timing.maximumAttempts === 0 ? undefined : (retry.maximumAttempts ?? timing.maximumAttempts),
      nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
    },
  };
}

/** The activities of one phase, with that phase's options and a summary naming the tenant. */
export function phaseActivities(phase: PhaseName | 'watch', subject: string, retry?: ActivityRetryOptions): PhaseActivities {
  const activity = phase === 'watch' ? 'watchReloads' : PHASE_ACTIVITY[phase];
  return proxyActivities<PhaseActivities>(activityOptions(phase, `${activity} for ${subject}`, retry));
}
