/**
 * The rollout: waves in plan order (canary first); inside a wave a sliding window of tenant workflows
 * (batch-sliding-window pattern: children started with ABANDON report back by signal, so they survive the
 * rollout's continue-as-new). Between waves an optional soak and/or manual approval. Failure budgets per wave and
 * overall halt the rollout: no new tenant starts, the rollout stays open so a person can retry or skip failed
 * tenants and then resume (or abort). Workflow-safe.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { RolloutIdKey, StateKey, WaveKey } from '../shared/search-attributes';
import type { RolloutActivities } from '../activities/migrated-tenants';
import {
  ALREADY_MIGRATED,
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  retryTenantUpdate,
  skipTenantUpdate,
  tenantFinishedSignal,
  tenantRetrySignal,
  tenantSkipSignal,
  workflowIds,
  SETUP_PHASES,
  type RolloutCarriedState,
  type RolloutInput,
  type RolloutProgress,
  type RolloutStatus,
  type TenantWorkflowInput,
} from './messages';
import { MAX_LISTED_FAILURES, rolloutDetails, tenantSummary } from './details';
import { OPEN_STATUSES, RolloutBook } from './rollout-book';
import { SearchAttributeWriter, tenantStartAttributes } from './search';
import type { tenantWorkflow } from './tenant';

type OptionalReason = [({ reason?: string } | undefined)?];

const DEFAULT_TENANTS_PER_RUN = 1_000;
const BATCHED_STARTS_PATCH = 'batched-tenant-starts';
/** Children started per workflow task: keeps one task's commands (and its completion payload) bounded. */
const MAX_STARTS_PER_TASK = 50;
const DEFAULT_ABORT_GRACE_MS = 5 * 60_000;
/** A failed tenant waits this long for retry/skip before it closes as failed. */
const DEFAULT_TENANT_ACTION_TIMEOUT_MS = 7 * 24 * 3600_000;

export async function rolloutWorkflow(input: RolloutInput): Promise<RolloutProgress> {
  const { rolloutId, plan } = input;
  const options = input.options ?? {};
  const carried: RolloutCarriedState = input.carried ?? {
    run: 1, waveIndex: 0, nextTenantIndex: 0, stage: 'running', paused: false, records: {},
  };
  const book = new RolloutBook(rolloutId, plan, carried);
  let aborting = false;
  let abortReason: string | undefined;
  let startedThisRun = 0;
  const searchAttributes = new SearchAttributeWriter();
  /** The Web UI's current details (no history event; O(waves), so cheap enough for every report). */
  const publishDetails = () => {
    const status = book.status(aborting);
    const failures = book.failures(MAX_LISTED_FAILURES);
    setCurrentDetails(rolloutDetails({
      rolloutId, status, reason: book.reason(aborting, abortReason), run: book.state.run, waves: book.waves(status), failures: failures.tenants, failureCount: failures.count,
    }));
  };
  const publishSearchAttributes = () => {
    searchAttributes.set([[RolloutIdKey, rolloutId], [StateKey, book.status(aborting)], [WaveKey, book.currentWave()?.name]]);
    publishDetails();
  };
  publishSearchAttributes();

  // --- messages -------------------------------------------------------------------------------------------
  setHandler(progressQuery, (query) => withAlreadyMigrated(book.progress(aborting, query?.includePending ?? false, abortReason)));
  setHandler(tenantFinishedSignal, (result) => {
    book.record(result.tenant, { status: result.status, phase: result.phase, reason: result.reason });
    book.checkBudgets();
    publishDetails();
  });
  const notClosing = () => { if (aborting) throw new Error(`Rollout ${rolloutId} is aborting`); };
  setHandler<RolloutStatus, OptionalReason, typeof pauseUpdate>(pauseUpdate, (args) => {
    book.state.paused = true;
    book.state.pauseReason = args?.reason;
    publishSearchAttributes();
    return book.status(aborting);
  }, { validator: () => { notClosing(); if (book.state.paused) throw new Error(`Rollout ${rolloutId} is already paused`); } });
  setHandler(resumeUpdate, () => {
    book.state.paused = false;
    book.state.pauseReason = undefined;
    book.state.halted = undefined;
    publishSearchAttributes();
    return book.status(aborting);
  }, {
    validator: () => {
      notClosing();
      if (!book.state.paused && !book.state.halted) throw new Error(`Rollout ${rolloutId} is neither paused nor halted`);
      // A halted rollout resumes only once retries/skips brought the failures back within budget.
      const spent = book.budgetSpent();
      if (book.state.halted && spent) throw new Error(`Rollout ${rolloutId} cannot resume: ${spent}. Retry or skip failed tenants first.`);
    },
  });
  setHandler<RolloutStatus, OptionalReason, typeof abortUpdate>(abortUpdate, (args) => {
    aborting = true;
    abortReason = args?.reason ?? 'aborted by an operator';
    publishSearchAttributes();
    return book.status(aborting);
  }, { validator: notClosing });
  setHandler(approveUpdate, () => {
    book.nextWave();
    publishSearchAttributes();
    return book.status(aborting);
  }, {
    validator: ({ wave }) => {
      notClosing();
      const waiting = book.state.stage === 'awaiting-approval' ? book.currentWave()?.name : undefined;
      if (waiting !== wave) throw new Error(waiting ? `Wave "${waiting}" awaits approval, not "${wave}"` : `No wave awaits approval (asked for "${wave}")`);
    },
  });
  setHandler(retryTenantUpdate, async ({ tenant }) => {
    // Recorded before the signal: a retry that fails again at once reports 'failed' while the signal is still
    // being acknowledged, and that report must not be overwritten by 'running'.
    book.record(tenant, { status: 'running', phase: book.state.records[tenant]?.phase, attempts: (book.state.records[tenant]?.attempts ?? 1) + 1 });
    publishDetails();
    await getExternalWorkflowHandle(workflowIds.tenant(rolloutId, tenant)).signal(tenantRetrySignal);
    return book.tenantProgress(tenant);
  }, { validator: ({ tenant }) => { notClosing(); book.assertStatus(tenant, ['failed'], 'retry'); } });
  setHandler(skipTenantUpdate, async ({ tenant, reason }) => {
    const why = reason ?? 'skipped by an operator';
    // A failed tenant's workflow is still open and waiting; a pending one is simply never started.
    if (book.state.records[tenant]?.status === 'failed') {
      await getExternalWorkflowHandle(workflowIds.tenant(rolloutId, tenant)).signal(tenantSkipSignal, { reason: why });
    }
    book.record(tenant, { status: 'skipped', phase: book.state.records[tenant]?.phase, reason: why });
    publishDetails();
    return book.tenantProgress(tenant);
  }, { validator: ({ tenant }) => { notClosing(); book.assertStatus(tenant, ['failed', 'pending'], 'skip'); } });

  // --- main loop ------------------------------------------------------------------------------------------
  const tenantsPerRun = options.tenantsPerRun ?? DEFAULT_TENANTS_PER_RUN;
  const shouldContinueAsNew = () => workflowInfo().continueAsNewSuggested || startedThisRun >= tenantsPerRun;
  const continueWithCarriedState = async () => {
    await condition(allHandlersFinished);
    log.info('Rollout continues as new', { rolloutId, run: book.state.run, historyLength: workflowInfo().historyLength });
    await continueAsNew<typeof rolloutWorkflow>({ rolloutId, plan: book.planForNextRun(), options, carried: { ...book.state, run: book.state.run + 1 } });
  };

  // Only on the first run: later runs carry the records (input.carried), so the activity is not repeated.
  if (options.onlyNew && !input.carried) await skipMigratedTenants();

  while (book.currentWave() && !aborting) {
    const wave = book.currentWave()!;
    if (book.state.stage === 'running') {
      await condition(() => aborting || shouldContinueAsNew() || book.canStartNext() || book.waveDone());
      if (aborting) break;
      if (shouldContinueAsNew()) await continueWithCarriedState();
      if (book.canStartNext()) {
        // Start every tenant the window allows in one workflow task: one round trip for a batch of children
        // instead of one each (the start rate was the rollout's throughput ceiling). Patched: older histories
        // replay with one start per task.
        const batch = [startTenant(book.takeNextTenant()!, wave.name)];
        if (patched(BATCHED_STARTS_PATCH)) {
          while (batch.length < MAX_STARTS_PER_TASK && book.canStartNext() && !shouldContinueAsNew()) batch.push(startTenant(book.takeNextTenant()!, wave.name));
        }
        await Promise.all(batch);
        publishSearchAttributes();
        continue;
      }
      if (!book.waveDone()) continue;
      const isLast = book.state.waveIndex === plan.waves.length - 1;
      // A wave whose tenants were all migrated already (onlyNew) did nothing: no soak, nothing to approve.
      const nothingDone = options.onlyNew === true && wave.tenants.every((t) => book.state.records[t]?.reason === ALREADY_MIGRATED);
      book.state.stage = wave.soakMs > 0 && !isLast && !nothingDone ? 'soaking' : 'awaiting-approval';
      book.state.soakUntil = Date.now() + wave.soakMs;
      if (book.state.stage === 'awaiting-approval' && (!wave.approval || isLast || nothingDone)) book.nextWave();
      publishSearchAttributes();
    } else if (book.state.stage === 'soaking') {
      await condition(() => aborting || shouldContinueAsNew(), Math.max(0, (book.state.soakUntil ?? 0) - Date.now()));
      if (aborting) break;
      if (shouldContinueAsNew()) await continueWithCarriedState();
      if (Date.now() < (book.state.soakUntil ?? 0)) continue;
      book.state.stage = 'awaiting-approval';
      if (!wave.approval) book.nextWave();
      publishSearchAttributes();
    } else {
      await condition(() => aborting || book.state.stage !== 'awaiting-approval' || shouldContinueAsNew());
      if (aborting) break;
      if (book.state.stage === 'awaiting-approval') await continueWithCarriedState();
    }
  }

  if (aborting) await abortOpenTenants();
  book.finish(aborting, abortReason);
  publishSearchAttributes();
  await condition(allHandlersFinished);
  return withAlreadyMigrated(book.progress(aborting, false, abortReason, { finalOnly: true }), true);

  /** onlyNew: the count of tenants left alone; the final result lists only real exceptions (the count stands for them). */
  function withAlreadyMigrated(progress: RolloutProgress, final = false): RolloutProgress {
    if (!options.onlyNew) return progress;
    const alreadyMigrated = Object.values(book.state.records).filter((r) => r.status === 'skipped' && r.reason === ALREADY_MIGRATED).length;
    const tenants = final ? progress.tenants.filter((t) => !(t.status === 'skipped' && t.reason === ALREADY_MIGRATED)) : progress.tenants;
    return { ...progress, tenants, alreadyMigrated };
  }

  /** onlyNew: the tenants migrated already (an activity asks Temporal) are recorded as skipped and never started. */
  async function skipMigratedTenants(): Promise<void> {
    const { migratedTenants } = proxyActivities<RolloutActivities>({
      startToCloseTimeout: '2 minutes', summary: `migratedTenants for ${rolloutId}`, retry: { maximumAttempts: 5, maximumInterval: '30 seconds' },
    });
    let migrated: string[];
    try {
      ({ tenants: migrated } = await migratedTenants({ rolloutId, tenantIdPrefix: workflowIds.tenant(rolloutId, ''), syncIdPrefix: workflowIds.sync(plan.source, '') }));
    } catch (err) {
      // Visibility unavailable: run every tenant; the phases read before they write, so that is only slower.
      log.warn('Could not tell which tenants are migrated; running all of them', { rolloutId, error: String(err) });
      return;
    }
    const names = new Set(migrated);
    let skipped = 0;
    for (const entry of plan.tenants) {
      if (!names.has(entry.name) || book.state.records[entry.name]) continue;
      book.record(entry.name, { status: 'skipped', reason: ALREADY_MIGRATED });
      skipped += 1;
    }
    log.info('Tenants migrated already are skipped', { rolloutId, skipped, toRun: plan.tenants.length - skipped });
  }

  async function startTenant(tenant: string, wave: string): Promise<void> {
    startedThisRun += 1;
    // Recorded before the start, so a child that finishes at once cannot have its report overwritten.
    const startRecord = { status: 'running', phase: SETUP_PHASES[0] } as const;
    book.record(tenant, startRecord);
    const childInput: TenantWorkflowInput = {
      rolloutId,
      wave,
      parentWorkflowId: workflowInfo().workflowId,
      plan: { source: plan.source, apps: plan.apps, policy: plan.policy, limits: plan.limits, tenantDefaults: plan.tenantDefaults, sync: plan.sync, distribution: plan.distribution, ...(plan.retries ? { retries: plan.retries } : {}) },
      tenant: book.tenantEntry(tenant),
      actionTimeoutMs: options.tenantActionTimeoutMs ?? DEFAULT_TENANT_ACTION_TIMEOUT_MS,
      activityRetry: options.activityRetry,
      setupOrder: 'documented',
    };
    try {
      await startChild<typeof tenantWorkflow>('tenantWorkflow', {
        workflowId: workflowIds.tenant(rolloutId, tenant),
        args: [childInput],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: tenantStartAttributes(rolloutId, tenant, wave, startRecord),
        staticSummary: tenantSummary(rolloutId, tenant, wave),
      });
    } catch (err) {
      // Same rollout restarted while this tenant's workflow still runs: it reports to the same rollout id.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      log.info('Tenant workflow already running; adopting it', { tenant });
    }
  }

  async function abortOpenTenants(): Promise<void> {
    const awaiting = new Set(book.openTenants());
    await Promise.all([...awaiting].map(async (tenant) => {
      try {
        await getExternalWorkflowHandle(workflowIds.tenant(rolloutId, tenant)).cancel();
      } catch (err) {
        // Already closed (e.g. a failed tenant whose wait for action timed out): no report will come.
        log.info('Tenant workflow already closed', { tenant, error: String(err) });
        awaiting.delete(tenant);
      }
    }));
    // Running tenants stop between or inside activities (cancelled via heartbeats) and report 'cancelled'.
    await condition(() => [...awaiting].every((t) => !OPEN_STATUSES.includes(book.statusOf(t))), options.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS);
  }
}

