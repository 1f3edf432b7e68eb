/**
 * Retry budgets by time (plan section `retries`), enforced by the activity itself.
 *
 * Temporal retries a phase with no attempt limit (src/workflows/phase-activities.ts); what ends the retries is time:
 * - a 429 is Qlik asking for patience: it is retried after Retry-After (nextRetryDelay) and never counts as a
 *   failure; only once the phase has run for `rateLimitedMs` in all does a 429 stop it;
 * - a transient error (5xx, timeout, reset, an app not arrived yet) is retried until the phase has spent
 *   `transientMs` since its first attempt was scheduled, not counting the time it waited out 429s;
 * - a config error fails at once (toActivityFailure makes it non-retryable; budgets never extend it).
 *
 * The time waited on 429s travels between attempts in the activity's heartbeat details (an envelope around the
 * phase's own progress, see scope.ts) and, as a fallback if a heartbeat is lost, in this process's memory. Losing
 * both (a worker killed right after a 429) only makes the transient budget count that wait: stricter, never looser.
 */
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_RETRIES, type RetrySpec } from '../plan/types';
import { FailureTypes } from './types';

/** What an attempt knows about the phase it belongs to (a subset of the activity Info). */
export interface AttemptInfo {
  /** When the phase's first attempt was scheduled (epoch ms): the start of every budget. */
  firstScheduledMs: number;
  attempt: number;
  /** Identifies the phase across attempts (workflow id + activity id + first scheduled time). */
  key: string;
}

/** Remembered across attempts. */
export interface BudgetState {
  /** Time the phase has waited (or was told to wait) on 429s so far. */
  rateLimitedMs: number;
}

/** Fallback memory of 429 waits per phase, for a heartbeat that did not reach the server. Bounded. */
const remembered = new Map<string, BudgetState>();
const REMEMBERED_MAX = 10_000;

export function recall(info: AttemptInfo, fromHeartbeat: BudgetState | undefined): BudgetState {
  const local = remembered.get(info.key);
  return { rateLimitedMs: Math.max(fromHeartbeat?.rateLimitedMs ?? 0, local?.rateLimitedMs ?? 0) };
}

function remember(info: AttemptInfo, state: BudgetState): void {
  if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.keys().next().value as string);
  remembered.set(info.key, { ...state });
}

export function forget(info: AttemptInfo): void {
  remembered.delete(info.key);
}

function formatMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000) return `${Math.round(ms / 100) / 10}s`;
  return `${ms}ms`;
}

/** Without a Retry-After, Temporal's backoff decides the wait; count at least a second of it. */
const UNKNOWN_WAIT_MS = 1_000;

/**
 * Applies the phase's budgets to one classified failure: returns the failure to throw (the same one while the
 * budget lasts, a non-retryable one naming the budget once it is spent) and updates `state` (429 waits).
 */
export function judgeFailure(failure: ApplicationFailure, phase: string, info: AttemptInfo, state: BudgetState, spec: RetrySpec | undefined, now = Date.now()): ApplicationFailure {
  if (failure.nonRetryable) return failure; // config, verification, unexpected 409: a person, at once
  const budgets = spec ?? DEFAULT_RETRIES;
  const elapsed = Math.max(0, now - info.firstScheduledMs);
  if (failure.type === FailureTypes.RateLimited) {
    const wait = Math.max(0, Number(failure.nextRetryDelay ?? 0)) || UNKNOWN_WAIT_MS;
    if (elapsed + wait > budgets.rateLimitedMs) {
      return exhausted(failure, `${phase} was rate-limited (429) after running ${formatMs(elapsed)}; waiting again would pass its budget retries.rateLimited = ${formatMs(budgets.rateLimitedMs)}. Qlik's limit is not lifting: check other load on the tenant, then retry the tenant`);
    }
    state.rateLimitedMs += wait;
    remember(info, state);
    return failure;
  }
  const spent = Math.max(0, elapsed - state.rateLimitedMs);
  if (spent > budgets.transientMs || elapsed > budgets.rateLimitedMs) {
    const which = spent > budgets.transientMs ? `retries.transient = ${formatMs(budgets.transientMs)}` : `retries.rateLimited = ${formatMs(budgets.rateLimitedMs)} (the longest a phase may run)`;
    return exhausted(failure, `${phase} kept failing for ${formatMs(spent)} over ${info.attempt} attempts (waits on 429s not counted), past its budget ${which}. Last error: ${failure.message}`);
  }
  return failure;
}

/**
 * The same class of error, now non-retryable, naming the spent budget (the tenant waits for retry or skip). No
 * `cause`: the workflow shows a failure's root cause, and the last error is already in the message.
 */
function exhausted(failure: ApplicationFailure, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: failure.type ?? FailureTypes.Transient, nonRetryable: true, message, details: failure.details ? [...failure.details] : undefined });
}
