/**
 * Message contract of the workflows: names, argument and result types of every query, signal and update.
 * Shared by the workflows (which set the handlers) and the CLI (which calls them). Workflow-safe.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RolloutPlan } from '../plan/types';

export type PhaseName = 'policy' | 'verify' | 'deployment' | 'idp' | 'publish' | 'sync';
export const PHASES: readonly PhaseName[] = ['policy', 'verify', 'deployment', 'idp', 'publish', 'sync'];

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
}

export interface RolloutInput {
  rolloutId: string;
  plan: RolloutPlan;
}

export interface TenantWorkflowInput {
  rolloutId: string;
  wave: string;
  /** Workflow id of the rollout to signal on completion (absent when a tenant is run on its own). */
  parentWorkflowId?: string;
  plan: Pick<RolloutPlan, 'source' | 'apps' | 'policy' | 'limits' | 'tenantDefaults' | 'sync'>;
  tenant: RolloutPlan['tenants'][number];
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
/** Reload watcher -> tenant sync workflows: an app was reloaded on QSEoW. */
export const appReloadedSignal = defineSignal<[{ appName: string; appId: string; lastReloadTime: string }]>('appReloaded');

/** Readable, idempotent workflow ids: starting the same rollout or tenant twice finds the running one. */
export const workflowIds = {
  rollout: (rolloutId: string) => `rollout-${rolloutId}`,
  tenant: (rolloutId: string, tenant: string) => `rollout-${rolloutId}-tenant-${tenant}`,
  sync: (tenant: string) => `sync-${tenant}`,
  reloadWatcher: (siteKey: string) => `reload-watcher-${siteKey}`,
};

export const TASK_QUEUE = 'qlik-rollout';
