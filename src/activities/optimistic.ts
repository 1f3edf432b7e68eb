/**
 * Writes to QRS objects that many tenants share (the custom property definition, the apps, the policy):
 * read, change, PUT with the modifiedDate read; on 409 someone else wrote first, so re-read and re-apply.
 * Bounded, with jittered backoff so 50 writers do not retry in lockstep; no value is ever lost.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Change } from './types';
import { FailureTypes } from './types';
import { configFailure, isHttpStatus } from '../qlik/errors';

export interface ReadModifyWrite<T> {
  /** For messages: "custom property Deployments on QSEoW site ...". */
  what: string;
  attempts: number;
  read(): Promise<T>;
  /** The changed object, or undefined when `current` already is as wanted. */
  modify(current: T): T | undefined;
  write(next: T): Promise<unknown>;
  /** Called on each 409 (for logs). */
  onConflict?(attempt: number): void;
  /**
   * Group commit (ActivityDeps.coalesceWrites, on by default): concurrent calls in this process with the
   * same `what` (the same object) share one read and one write that applies every caller's change, instead of
   * racing each other into a storm of 409s. Conflicts then only come from other processes.
   */
  coalesce?: boolean;
}

const BASE_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 800;
const CREATE_JITTER_MS = 250;

function jitteredBackoff(attempt: number): number {
  return Math.random() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(attempt, 8));
}

export async function readModifyWrite<T>(op: ReadModifyWrite<T>): Promise<Change> {
  if (op.coalesce) return joinGroupCommit(op);
  const [change] = await commitTogether(op, [op]);
  return change;
}

/** One read-modify-write loop applying the changes of every op in `ops` (all on the object `lead` reads). */
async function commitTogether<T>(lead: ReadModifyWrite<T>, ops: ReadModifyWrite<T>[]): Promise<Change[]> {
  for (let attempt = 0; attempt < lead.attempts; attempt++) {
    let next: T = await lead.read();
    const changes = ops.map((op): Change => {
      const changed = op.modify(next);
      if (!changed) return 'unchanged';
      next = changed;
      return 'updated';
    });
    if (!changes.includes('updated')) return changes;
    try {
      await lead.write(next);
      return changes;
    } catch (err) {
      if (!isHttpStatus(err, 409)) throw err;
      lead.onConflict?.(attempt + 1);
      await new Promise((resolve) => setTimeout(resolve, jitteredBackoff(attempt)));
    }
  }
  // Contention, not misconfiguration: let Temporal retry the activity later.
  throw ApplicationFailure.create({
    type: FailureTypes.Conflict,
    message: `${lead.what}: still conflicting (409) after ${lead.attempts} re-reads; other writers keep changing it. Will retry.`,
  });
}

interface Waiter {
  op: ReadModifyWrite<unknown>;
  resolve(change: Change): void;
  reject(err: unknown): void;
}

/** Per object (`what`): callers waiting for the next group commit, and whether one is running. */
const waiting = new Map<string, Waiter[]>();
const committing = new Set<string>();

function joinGroupCommit<T>(op: ReadModifyWrite<T>): Promise<Change> {
  return new Promise<Change>((resolve, reject) => {
    const queue = waiting.get(op.what) ?? [];
    queue.push({ op: op as ReadModifyWrite<unknown>, resolve, reject });
    waiting.set(op.what, queue);
    if (!committing.has(op.what)) void drainGroupCommits(op.what);
  });
}

/** While callers wait on `key`, commits them in batches: whoever arrives during a commit joins the next one. */
async function drainGroupCommits(key: string): Promise<void> {
  committing.add(key);
  try {
    for (let batch = waiting.get(key); batch?.length; batch = waiting.get(key)) {
      waiting.delete(key);
      try {
        const changes = await commitTogether(batch[0].op, batch.map((w) => w.op));
        batch.forEach((w, i) => w.resolve(changes[i]));
      } catch (err) {
        batch.forEach((w) => w.reject(err));
      }
    }
  } finally {
    committing.delete(key);
  }
}

export interface EnsureOne<T extends { id: string }> {
  /** For messages: 'distribution policy "X" on QSEoW site ...'. */
  what: string;
  /** Candidates by natural key; may hold near matches (QRS filters compare strings case-insensitively). */
  find(): Promise<T[]>;
  /** The natural key, compared exactly (case-sensitively) with `wanted`: only equal keys are the same object. */
  key(entity: T): string;
  wanted: string;
  create(): Promise<T>;
  remove(entity: T): Promise<void>;
  /** Which of several equal-named objects survives: the same choice in every racer (e.g. oldest, then id). */
  order(a: T, b: T): number;
  /**
   * Whether this tool provably made `entity` (e.g. its marker in a comment). Only such duplicates, and the one this
   * call created, are ever deleted; anything else of the same name is left alone and returned in `kept`.
   */
  isOwn?(entity: T): boolean;
}

/**
 * Find-or-create by natural key when concurrent creators may race: create, re-read, and if duplicates appeared
 * keep the deterministic survivor and delete the others this tool made (a 404 means another racer already did).
 * Objects whose key differs only in case are other objects (F19): never matched, never deleted.
 */
export async function ensureOne<T extends { id: string }>(op: EnsureOne<T>): Promise<{ entity: T; change: Change; kept: T[] }> {
  let nearMatches: T[] = [];
  const find = async () => {
    const candidates = await op.find();
    nearMatches = candidates.filter((entity) => op.key(entity) !== op.wanted);
    return candidates.filter((entity) => op.key(entity) === op.wanted);
  };
  let found = await find();
  let createdId: string | undefined;
  let refused = false;
  if (found.length === 0) {
    // Tenants started together all find nothing; a short random pause lets the first creator's object show up
    // for most of the others, so few duplicates need cleaning up.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * CREATE_JITTER_MS));
    found = await find();
  }
  if (found.length === 0) {
    try {
      createdId = (await op.create()).id;
    } catch (err) {
      if (!isHttpStatus(err, 409)) throw err; // someone else created it: re-read below
      refused = true;
    }
    found = await find();
  }
  if (found.length === 0) {
    if (refused && nearMatches.length > 0) {
      throw configFailure(
        `${op.what}: QRS refused to create it (409) because ${nearMatches.map((e) => JSON.stringify(op.key(e))).join(', ')} exists, a name differing only in case. ` +
          `qlik-rollout matches names exactly: write the existing name in the plan, or rename that object.`,
      );
    }
    throw new Error(`${op.what}: created but not found again`);
  }
  const [survivor, ...duplicates] = [...found].sort(op.order);
  const kept: T[] = [];
  for (const duplicate of duplicates) {
    if (duplicate.id !== createdId && !op.isOwn?.(duplicate)) {
      kept.push(duplicate);
      continue;
    }
    try {
      await op.remove(duplicate);
    } catch (err) {
      if (!isHttpStatus(err, 404)) throw err;
    }
  }
  return { entity: survivor, change: survivor.id === createdId ? 'created' : 'unchanged', kept };
}
