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

export interface EnsureIdpResult {
  idpId: string;
  /** 'updated' = an IdP holding a stale token was fixed. */
  idp: Change;
}

export interface PublishedApp {
  name: string;
  sourceAppId: string;
  cloudAppId: string;
  spaceId: string;
  /** 'updated' = this run moved the staged app into the managed space. */
  assignment: Change;
  lastReloadTime: string;
}

export interface FirstPublishResult {
  spaceId: string;
  space: Change;
  apps: PublishedApp[];
}

export interface SyncAfterReloadInput {
  ctx: PhaseContext;
  appName: string;
  /** The QSEoW reload to wait for: the cloud copy must carry this reload time or a later one. */
  reloadTime: string;
}

export interface SyncAfterReloadResult {
  appName: string;
  cloudAppId: string;
  lastReloadTime: string;
  /** What had to be repaired (e.g. 'moved back into managed space'); empty when all was well. */
  repairs: string[];
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
