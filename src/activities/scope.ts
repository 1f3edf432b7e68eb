/**
 * What every phase activity shares: its tunables, a child logger (tenant + phase), heartbeats and cancellable
 * sleeps through the activity Context, the retry budgets (retry-budget.ts) and the final classification of any
 * error into a Temporal failure.
 */
import { Context } from '@temporalio/activity';
import { toActivityFailure } from '../qlik/errors';
import { DEFAULT_RETRIES, type RetrySpec } from '../plan/types';
import { logger as rootLogger, type Logger } from '../shared/logger';
import { forget, judgeFailure, recall, type AttemptInfo, type BudgetState } from './retry-budget';

export interface ActivityDeps {
  logger?: Logger;
  /** How often waiting activities poll Qlik (distribution arrival, reloads). */
  pollIntervalMs?: number;
  /** How long one attempt of firstPublish / syncAfterReload waits before failing retryably. */
  arrivalTimeoutMs?: number;
  /** Read-modify-write attempts on a 409 before giving up (many tenants write the same QRS objects). */
  conflictAttempts?: number;
  /** Group-commit concurrent writes to the same shared QRS object in this process (see optimistic.ts). Default true: without it,
   * hundreds of tenants on one worker race each other into 409 storms on the same custom property and apps. */
  coalesceWrites?: boolean;
  /** Retry budgets when the phase's input carries none (the plan's `retries` section wins): DEFAULT_RETRIES. */
  retries?: RetrySpec;
  /** How often runPhase heartbeats while a phase runs, so a killed or frozen worker is noticed within the phase's heartbeat timeout. */
  heartbeatEveryMs?: number;
}

export type ResolvedDeps = Required<ActivityDeps>;

export function resolveDeps(deps: ActivityDeps = {}): ResolvedDeps {
  return {
    logger: deps.logger ?? rootLogger(),
    pollIntervalMs: deps.pollIntervalMs ?? 2_000,
    arrivalTimeoutMs: deps.arrivalTimeoutMs ?? 10 * 60_000,
    conflictAttempts: deps.conflictAttempts ?? 60,
    coalesceWrites: deps.coalesceWrites ?? true,
    retries: deps.retries ?? DEFAULT_RETRIES,
    heartbeatEveryMs: deps.heartbeatEveryMs ?? 1_000,
  };
}

/** The deps for one phase call: the plan's retry budgets (carried in the phase input) over the worker's. */
export function forInput(deps: ResolvedDeps, input: { retries?: RetrySpec }): ResolvedDeps {
  return input.retries ? { ...deps, retries: input.retries } : deps;
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (e.g. a script): no heartbeats
  }
}

/**
 * Heartbeat details are an envelope: the phase's own progress (what it passes to heartbeat()) plus what the retry
 * budget remembers across attempts. Details without the marker (attempts of an older version) are plain progress.
 */
interface Envelope {
  qlikRollout: 1;
  budget: BudgetState;
  progress?: unknown;
}

const isEnvelope = (value: unknown): value is Envelope => typeof value === 'object' && value !== null && (value as Envelope).qlikRollout === 1;

/** Per running activity: its budget state and last progress, re-sent by the periodic heartbeat. */
const running = new WeakMap<Context, { budget: BudgetState; progress?: unknown }>();

function stateOf(context: Context): { budget: BudgetState; progress?: unknown } {
  let state = running.get(context);
  if (!state) {
    const previous: unknown = context.info.heartbeatDetails;
    state = isEnvelope(previous) ? { budget: recall(attemptInfo(context), previous.budget), progress: previous.progress } : { budget: recall(attemptInfo(context), undefined), progress: previous };
    running.set(context, state);
  }
  return state;
}

function beat(context: Context): void {
  const state = stateOf(context);
  const envelope: Envelope = { qlikRollout: 1, budget: state.budget, ...(state.progress !== undefined ? { progress: state.progress } : {}) };
  context.heartbeat(envelope);
}

function attemptInfo(context: Context): AttemptInfo {
  const { info } = context;
  return { firstScheduledMs: info.scheduledTimestampMs, attempt: info.attempt, key: `${info.workflowExecution?.workflowId ?? info.activityType}|${info.activityId}|${info.scheduledTimestampMs}` };
}

export function heartbeat(details?: unknown): void {
  const context = currentContext();
  if (!context) return;
  stateOf(context).progress = details;
  beat(context);
}

/** Progress saved by the previous attempt's last heartbeat, to resume a long wait. */
export function lastHeartbeat<T>(): T | undefined {
  const context = currentContext();
  return context ? (stateOf(context).progress as T | undefined) : undefined;
}

/** Sleeps, but wakes with a CancelledFailure when the activity is cancelled. */
export async function pause(ms: number): Promise<void> {
  const context = currentContext();
  if (context) await context.sleep(ms);
  else await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs one phase: heartbeats while it runs (a SIGKILLed or frozen worker is noticed within the heartbeat timeout,
 * not the start-to-close timeout), logs start and end with the tenant and phase, classifies every error in one
 * place and applies the retry budgets to it.
 */
export async function runPhase<T>(deps: ResolvedDeps, phase: string, tenant: string | undefined, body: (log: Logger) => Promise<T>): Promise<T> {
  const context = currentContext();
  const attempt = context?.info.attempt;
  const log = deps.logger.child({ phase, ...(tenant ? { tenant } : {}), ...(attempt ? { attempt } : {}) });
  const started = Date.now();
  const ticker = context ? setInterval(() => beat(context), deps.heartbeatEveryMs) : undefined;
  ticker?.unref();
  try {
    const result = await body(log);
    if (context) forget(attemptInfo(context));
    log.info({ durationMs: Date.now() - started }, `${phase} done`);
    return result;
  } catch (err) {
    if (err instanceof Error && err.name === 'CancelledFailure') throw err;
    let failure = toActivityFailure(err);
    // The reload watcher polls for as long as sync runs: no budget (its attempts are unlimited on purpose).
    if (context && phase !== 'watch') {
      failure = judgeFailure(failure, phase, attemptInfo(context), stateOf(context).budget, deps.retries);
      beat(context); // the 429 waits so far reach the next attempt (flushed with the failure)
    }
    log.warn({ durationMs: Date.now() - started, failureType: failure.type, nonRetryable: failure.nonRetryable }, failure.message);
    throw failure;
  } finally {
    if (ticker) clearInterval(ticker);
  }
}
