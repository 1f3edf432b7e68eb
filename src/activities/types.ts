import type { PhaseContext } from '../plan/types';

/**
 * Inputs and results of the six phase activities. Results are small summaries a person can read in the
 * Temporal Web UI: ids and what changed, never a token or key.
 */
export type { PhaseContext };

/** What an ensure-style activity did to one object. */
export type Change = 'created' | 'updated' | 'unchanged';

export interface EnsurePolicyResult {
  policyId: string;
  policy: Change;
  /**
   * created: made by this run (plan's policy.category); adopted: found by name, not made by qlik-rollout (e.g. in the
   * QMC's Cloud distribution page), its category/type/context untouched; own: made by qlik-rollout earlier.
   */
  policyOrigin: 'created' | 'adopted' | 'own';
  /** Fields this run repaired on an existing policy (conditions, disabled, resourceFilter, actions); [] = none. */
  policyRepaired: string[];
  /** Differences left alone on purpose (an adopted policy's own conditions, same-named rules not deleted). */
  policyNotes: string[];
  /** The tenant's deployment name as a choice value of the custom property definition. */
  choiceValue: Change;
  /** Per app: whether the app now carries the value. */
  apps: Array<{ name: string; appId: string; value: Change }>;
}

export interface VerifiedApp {
  name: string;
  appId: string;
  stream: string;
  fileSize: number;
  /** ISO timestamp of the last successful reload on QSEoW. */
  lastReloadTime: string;
}

export interface VerifyAppResult {
  apps: VerifiedApp[];
}

export interface EnsureDeploymentResult {
  deploymentId: string;
  deployment: Change;
}

/** A multi-cloud IdP the IdP phase does not own (hand-made, another site's or deployment's): left alone. */
export interface ForeignIdp {
  id: string;
  active: boolean;
  /** Sanitised and truncated (no control characters, long opaque runs redacted). */
  description: string;
}

export interface EnsureIdpResult {
  idpId: string;
  /** 'updated' = an IdP holding a stale token was fixed. */
  idp: Change;
  /** Ids of this tool's IdPs for this deployment that this run deleted (stale token, superseded). */
  removed: string[];
  /** Multi-cloud IdPs that are not this tool's for this deployment (at most 20 listed; foreignCount counts all). */
  foreign: ForeignIdp[];
  foreignCount: number;
}

export interface PublishedApp {
  name: string;
  sourceAppId: string;
  cloudAppId: string;
  spaceId: string;
  /** 'updated' = this run moved the staged app into the managed space. */
  assignment: Change;
  lastReloadTime: string;
  /** Other distributed apps of the same name in the tenant (left alone, reported). */
  duplicates?: string[];
  /** Something a person should know, e.g. the copy is larger in memory than limits.maxAppSize. */
  warning?: string;
}

export interface FirstPublishResult {
  spaceId: string;
  space: Change;
  apps: PublishedApp[];
  /** The managed space's members as the plan wants them (space-members.ts); absent in results of older runs. */
  members?: SpaceMembersResult;
  /** Whether a customer can open what was published (space-members.ts checkCustomerAccess). */
  customerAccess?: CustomerAccessResult;
}

/** One member the plan lists, as it now is in the managed space. */
export interface SpaceMember {
  type: 'group' | 'user';
  /** The plan's name (email or name for users). */
  name: string;
  assigneeId: string;
  roles: string[];
  /** created: assigned now; updated: roles changed now (`previousRoles` before); unchanged: already so. */
  change: Change;
  previousRoles?: string[];
}

export interface SpaceMembersResult {
  spaceId: string;
  members: SpaceMember[];
  /** Assignments removed because the plan asks for exactly its list (exactMembers). */
  removed: Array<{ type: string; assigneeId: string; roles: string[] }>;
  /** Assignments the plan does not list, left alone. */
  othersKept: number;
  /** Assignees (users or groups) whose roles open apps in the space; the owner is not counted. */
  consumers: number;
  /** E.g. nobody but the owner can open apps (plan noConsumers: warn). */
  warnings: string[];
}

export interface CustomerAccessResult {
  /** end-user: opened as the plan's verification identity; assignments: no identity, the assignments were read. */
  mode: 'end-user' | 'assignments';
  ok: boolean;
  /** The verification identity's name (end-user mode). */
  user?: string;
  /** One line a person can read: what was checked and what was found. */
  detail: string;
}

export interface SyncAfterReloadInput {
  ctx: PhaseContext;
  appName: string;
  /** The copy placed before (first publish or an earlier sync): the first candidate (absent in older inputs). */
  cloudAppId?: string;
  /** The QSEoW reload to wait for: the cloud copy must carry this reload time or a later one. */
  reloadTime: string;
}

export interface SyncAfterReloadResult {
  appName: string;
  cloudAppId: string;
  lastReloadTime: string;
  /** What had to be repaired (e.g. 'moved back into managed space'); empty when all was well. */
  repairs: string[];
  /** Other distributed apps of the same name (reported, never deleted). */
  duplicates?: string[];
  /** The managed space's members, kept in place after the reload (space-members.ts); absent in older results. */
  members?: SpaceMembersResult;
}

/** A finished reload seen on QSEoW by the reload watcher. */
export interface ReloadObservation {
  appName: string;
  appId: string;
  lastReloadTime: string;
}

export interface WatchReloadsInput {
  source: PhaseContext['source'];
  apps: PhaseContext['apps'];
  /** Last reload time already handled, per app name. */
  since: Record<string, string>;
  pollIntervalMs: number;
  /** Give up and return [] after this long, so the calling workflow can check for messages and continue-as-new. */
  maxWaitMs: number;
}

/** The activity functions the workers register; workflows import this type only. */
export interface PhaseActivities {
  ensurePolicy(ctx: PhaseContext): Promise<EnsurePolicyResult>;
  verifyApp(ctx: PhaseContext): Promise<VerifyAppResult>;
  ensureDeployment(ctx: PhaseContext): Promise<EnsureDeploymentResult>;
  ensureIdp(ctx: PhaseContext): Promise<EnsureIdpResult>;
  firstPublish(ctx: PhaseContext): Promise<FirstPublishResult>;
  syncAfterReload(input: SyncAfterReloadInput): Promise<SyncAfterReloadResult>;
  /** Heartbeating poll of QSEoW for apps whose lastReloadTime moved past `since`. */
  watchReloads(input: WatchReloadsInput): Promise<ReloadObservation[]>;
}

/** Failure types thrown by activities (ApplicationFailure.type); workflows and the CLI key on them. */
export const FailureTypes = {
  /** 4xx that a person must fix: bad credentials, unknown app, missing managed-space support... */
  Config: 'QlikConfigError',
  /** The app does not meet the distribution rule (not published, wrong stream, failed reload, too large). */
  Verification: 'AppVerificationError',
  /** 5xx, timeouts, resets: retried. */
  Transient: 'QlikTransientError',
  /** 429: retried after Retry-After. */
  RateLimited: 'QlikRateLimited',
  /** An unexpected 409 that re-reading did not resolve. */
  Conflict: 'QlikConflict',
} as const;
