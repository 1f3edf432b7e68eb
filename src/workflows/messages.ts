/**
 * Message contract of the workflows: names, argument and result types of every query, signal and update.
 * Shared by the workflows (which set the handlers) and the CLI (which calls them). Workflow-safe.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RolloutPlan } from '../plan/types';

export type PhaseName = 'policy' | 'verify' | 'deployment' | 'idp' | 'publish' | 'sync';
/**
 * Qlik's documented setup order (HLP-DEPLOY, HLP-MIG-DIST): the deployment on QSEoW, the multi-cloud IdP in the
 * tenant, then the distribution policy. The policy phase's value on the app is the change of a published app that
 * makes the policy match the tenant, so it must come after the deployment and the IdP exist: it is what starts
 * the first distribution (doc HLP-POL-INTRO23; a new deployment or IdP starts nothing, assumption A9).
 */
export const SETUP_PHASES = ['deployment', 'idp', 'policy', 'verify', 'publish'] as const satisfies readonly PhaseName[];
/** The order of tenant workflows started before the documented order (their histories replay with it). */
export const LEGACY_SETUP_PHASES = ['policy', 'verify', 'deployment', 'idp', 'publish'] as const satisfies readonly PhaseName[];
export const PHASES: readonly PhaseName[] = [...SETUP_PHASES, 'sync'];

export type TenantStatus = 'pending' | 'running' | 'paused' | 'waiting-for-action' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface TenantProgress {
  tenant: string;
  wave: string;
  status: TenantStatus;
  /** The phase running, or the one that failed. */
  phase?: PhaseName;
  /** Why it failed (an activity's message), for a person. */
  reason?: string;
  attempts?: number;
}

export interface WaveProgress {
  name: string;
  status: 'pending' | 'running' | 'soaking' | 'awaiting-approval' | 'succeeded' | 'halted';
  counts: Record<TenantStatus, number>;
  failureBudget: number;
}

export type RolloutStatus = 'running' | 'paused' | 'awaiting-approval' | 'halted' | 'aborting' | 'aborted' | 'succeeded' | 'failed';

export interface RolloutProgress {
  rolloutId: string;
  status: RolloutStatus;
  /** Why the rollout halted or failed (e.g. failure budget of wave "canary" spent: 2 > 1). */
  reason?: string;
  currentWave?: string;
  waves: WaveProgress[];
  /** Tenants not pending (running, finished, failed...), and pending ones only when `includePending`. */
  tenants: TenantProgress[];
  /** Number of runs so far (continue-as-new). */
  run: number;
  /** With options.onlyNew: tenants left alone because they were migrated already (counted as skipped; additive). */
  alreadyMigrated?: number;
}

export interface RolloutInput {
  rolloutId: string;
  plan: RolloutPlan;
  /** Tuning knobs; defaults suit production (additive). */
  options?: RolloutOptions;
  /** Compact state carried over continue-as-new; absent on the first run (additive). */
  carried?: RolloutCarriedState;
}

/** Retry timing of the phase activities (tests shorten it; production keeps the defaults). */
export interface ActivityRetryOptions {
  initialIntervalMs?: number;
  maximumIntervalMs?: number;
  maximumAttempts?: number;
}

export interface RolloutOptions {
  /** Continue-as-new after this many tenant starts in one run, even if the server has not suggested it. */
  tenantsPerRun?: number;
  /** How long a failed tenant waits for retry/skip before it closes as failed (ms). */
  tenantActionTimeoutMs?: number;
  /** How long an abort waits for cancelled tenants to report back (ms). */
  abortGraceMs?: number;
  activityRetry?: ActivityRetryOptions;
  /**
   * Only tenants not yet migrated (scheduled runs): before the first wave, tenants whose tenant workflow of this
   * rollout succeeded or whose sync on this site runs are recorded as skipped with ALREADY_MIGRATED (additive).
   */
  onlyNew?: boolean;
}

/** The skip reason of a tenant an onlyNew rollout left alone. */
export const ALREADY_MIGRATED = 'already migrated';

/** What the rollout keeps per tenant that is not pending (compact: a 10,000-tenant rollout carries it). */
export interface TenantRecord {
  status: TenantStatus;
  phase?: PhaseName;
  reason?: string;
  attempts?: number;
}

export interface RolloutCarriedState {
  run: number;
  waveIndex: number;
  /** Index into the current wave's tenant list of the next tenant to consider starting. */
  nextTenantIndex: number;
  stage: 'running' | 'soaking' | 'awaiting-approval';
  /** Epoch ms at which the soak of the current wave ends. */
  soakUntil?: number;
  paused: boolean;
  pauseReason?: string;
  halted?: string;
  records: Record<string, TenantRecord>;
}

export interface TenantWorkflowInput {
  rolloutId: string;
  wave: string;
  /** Workflow id of the rollout to signal on completion (absent when a tenant is run on its own). */
  parentWorkflowId?: string;
  plan: Pick<RolloutPlan, 'source' | 'apps' | 'policy' | 'limits' | 'tenantDefaults' | 'sync' | 'distribution' | 'retries'>;
  tenant: RolloutPlan['tenants'][number];
  /** How long a failed tenant waits for retry/skip before closing as failed (ms); default 7 days (additive). */
  actionTimeoutMs?: number;
  activityRetry?: ActivityRetryOptions;
  /** 'documented' = SETUP_PHASES. Absent (workflows started before it existed) = LEGACY_SETUP_PHASES. */
  setupOrder?: 'documented';
}

export interface TenantResult {
  tenant: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  phase?: PhaseName;
  reason?: string;
}

/** Child -> rollout: a tenant workflow finished (batch-sliding-window pattern; survives continue-as-new). */
export const tenantFinishedSignal = defineSignal<[TenantResult]>('tenantFinished');

// Rollout steering: updates with validators, so the caller learns at once whether the command was taken.
export const pauseUpdate = defineUpdate<RolloutStatus, [{ reason?: string }?]>('pause');
export const resumeUpdate = defineUpdate<RolloutStatus, []>('resume');
export const abortUpdate = defineUpdate<RolloutStatus, [{ reason?: string }?]>('abort');
/** Approve the wave waiting for approval (by name, so a stale approval cannot approve the wrong wave). */
export const approveUpdate = defineUpdate<RolloutStatus, [{ wave: string }]>('approve');
export const retryTenantUpdate = defineUpdate<TenantProgress, [{ tenant: string }]>('retryTenant');
export const skipTenantUpdate = defineUpdate<TenantProgress, [{ tenant: string; reason?: string }]>('skipTenant');
export const progressQuery = defineQuery<RolloutProgress, [{ includePending?: boolean }?]>('progress');

// Tenant steering (the rollout forwards retry/skip to its tenant workflow through these).
export interface TenantState {
  tenant: string;
  status: TenantStatus;
  phase?: PhaseName;
  reason?: string;
  completedPhases: PhaseName[];
}
export const tenantStateQuery = defineQuery<TenantState>('tenantState');
export const tenantPauseUpdate = defineUpdate<TenantState, []>('tenantPause');
export const tenantResumeUpdate = defineUpdate<TenantState, []>('tenantResume');
/** Re-run the failed phase (and the ones after it); phases that succeeded are not run again. */
export const tenantRetryUpdate = defineUpdate<TenantState, []>('tenantRetry');
export const tenantSkipUpdate = defineUpdate<TenantState, [{ reason?: string }]>('tenantSkip');
/** Signal variants of retry/skip: a workflow (the rollout) can signal another workflow but not update it. */
export const tenantRetrySignal = defineSignal('tenantRetryRequested');
export const tenantSkipSignal = defineSignal<[{ reason?: string }]>('tenantSkipRequested');

// Reload sync.
export interface SyncState {
  tenant: string;
  status: 'watching' | 'syncing' | 'paused' | 'stopped';
  lastSynced: Record<string, string>;
  syncs: number;
  repairs: number;
  lastError?: string;
}
export const syncStateQuery = defineQuery<SyncState>('syncState');
export const syncPauseUpdate = defineUpdate<SyncState, []>('syncPause');
export const syncResumeUpdate = defineUpdate<SyncState, []>('syncResume');
export const syncStopUpdate = defineUpdate<SyncState, []>('syncStop');
/** Input of the per-tenant sync workflow (additive). */
export interface TenantSyncInput {
  rolloutId: string;
  plan: Pick<RolloutPlan, 'source' | 'apps' | 'policy' | 'limits' | 'tenantDefaults' | 'sync' | 'distribution' | 'retries'>;
  tenant: RolloutPlan['tenants'][number];
  /** Reload time per app the tenant already carries (from first publish). */
  lastSynced?: Record<string, string>;
  /** Cloud app id per app name: the copy first publish placed, then the one each sync found (additive). */
  copies?: Record<string, string>;
  activityRetry?: ActivityRetryOptions;
  /** Carried over continue-as-new. */
  carried?: { syncs: number; repairs: number; paused: boolean; registered: boolean; queue: AppReload[]; lastError?: string };
}

export interface AppReload {
  appName: string;
  appId: string;
  lastReloadTime: string;
}

/** Input of the reload watcher, one per QSEoW site (additive). */
export interface ReloadWatcherInput {
  siteKey: string;
  source: RolloutPlan['source'];
  pollIntervalMs: number;
  /** Carried over continue-as-new. */
  carried?: { apps: RolloutPlan['apps']; since: Record<string, string>; subscribers: Record<string, string[]> };
}

/** Sync workflow -> reload watcher: send me appReloaded for these apps (additive). */
export const registerSyncSignal = defineSignal<[{ syncWorkflowId: string; apps: RolloutPlan['apps'] }]>('registerSync');
export const unregisterSyncSignal = defineSignal<[{ syncWorkflowId: string }]>('unregisterSync');
export interface ReloadWatcherState {
  siteKey: string;
  apps: string[];
  since: Record<string, string>;
  subscribers: number;
  polls: number;
  fannedOut: number;
}
export const reloadWatcherStateQuery = defineQuery<ReloadWatcherState>('reloadWatcherState');
export const reloadWatcherStopSignal = defineSignal('reloadWatcherStop');

/** Workflow-safe key of a QSEoW site for workflowIds.reloadWatcher: its QRS URL, reduced to [a-z0-9-]. */
export function siteKeyOf(source: Pick<RolloutPlan['source'], 'qrsUrl'>): string {
  return source.qrsUrl.toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Reload watcher -> tenant sync workflows: an app was reloaded on QSEoW. */
export const appReloadedSignal = defineSignal<[{ appName: string; appId: string; lastReloadTime: string }]>('appReloaded');

/** Readable, idempotent workflow ids: starting the same rollout or tenant twice finds the running one. */
export const workflowIds = {
  rollout: (rolloutId: string) => `rollout-${rolloutId}`,
  tenant: (rolloutId: string, tenant: string) => `rollout-${rolloutId}-tenant-${tenant}`,
  /** Per QSEoW site and tenant: one deployment name on two sites means two different syncs. */
  sync: (source: Pick<RolloutPlan['source'], 'qrsUrl'>, tenant: string) => `sync-${siteKeyOf(source)}-${tenant}`,
  reloadWatcher: (siteKey: string) => `reload-watcher-${siteKey}`,
};

export const TASK_QUEUE = 'qlik-rollout';
