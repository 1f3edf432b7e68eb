/**
 * What every phase activity shares: its tunables, a child logger (tenant + phase), heartbeats and cancellable
 * sleeps through the activity Context, and the final classification of any error into a Temporal failure.
 */
import { Context } from '@temporalio/activity';
import { toActivityFailure } from '../qlik/errors';
import { logger as rootLogger, type Logger } from '../shared/logger';

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
}

export type ResolvedDeps = Required<ActivityDeps>;

export function resolveDeps(deps: ActivityDeps = {}): ResolvedDeps {
  return {
    logger: deps.logger ?? rootLogger(),
    pollIntervalMs: deps.pollIntervalMs ?? 2_000,
    arrivalTimeoutMs: deps.arrivalTimeoutMs ?? 10 * 60_000,
    conflictAttempts: deps.conflictAttempts ?? 60,
    coalesceWrites: deps.coalesceWrites ?? true,
  };
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (e.g. a script): no heartbeats
  }
}

export function heartbeat(details?: unknown): void {
  currentContext()?.heartbeat(details);
}

/** Progress saved by the previous attempt's last heartbeat, to resume a long wait. */
export function lastHeartbeat<T>(): T | undefined {
  return currentContext()?.info.heartbeatDetails as T | undefined;
}

/** Sleeps, but wakes with a CancelledFailure when the activity is cancelled. */
export async function pause(ms: number): Promise<void> {
  const context = currentContext();
  if (context) await context.sleep(ms);
  else await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs one phase: logs start and end with the tenant and phase, and classifies every error in one place. */
export async function runPhase<T>(deps: ResolvedDeps, phase: string, tenant: string | undefined, body: (log: Logger) => Promise<T>): Promise<T> {
  const attempt = currentContext()?.info.attempt;
  const log = deps.logger.child({ phase, ...(tenant ? { tenant } : {}), ...(attempt ? { attempt } : {}) });
  const started = Date.now();
  try {
    const result = await body(log);
    log.info({ durationMs: Date.now() - started }, `${phase} done`);
    return result;
  } catch (err) {
    if (err instanceof Error && err.name === 'CancelledFailure') throw err;
    const failure = toActivityFailure(err);
    log.warn({ durationMs: Date.now() - started, failureType: failure.type, nonRetryable: failure.nonRetryable }, failure.message);
    throw failure;
  }
}
