/**
 * One tenant's rollout: the five setup phases in Qlik's documented order (SETUP_PHASES), then the reload sync. A failed phase does not fail the
 * workflow: the tenant waits for a person (retry or skip) for a bounded time, so a fixed credential or app can be
 * retried without re-running the phases that succeeded. Workflow-safe: all I/O is in activities.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { FirstPublishResult } from '../activities/types';
import {
  tenantFinishedSignal,
  tenantPauseUpdate,
  tenantResumeUpdate,
  tenantRetrySignal,
  tenantRetryUpdate,
  tenantSkipSignal,
  tenantSkipUpdate,
  tenantStateQuery,
  LEGACY_SETUP_PHASES,
  SETUP_PHASES,
  type PhaseName,
  type TenantResult,
  type TenantState,
  type TenantWorkflowInput,
} from './messages';
import { phaseActivities } from './phase-activities';
import { tenantContext } from './context';
import { tenantDetails } from './details';
import { describeFailure } from './failures';
import { tenantSearchAttributes } from './search';
import { startTenantSync } from './sync-start';

type SetupPhase = (typeof SETUP_PHASES)[number];

const DEFAULT_ACTION_TIMEOUT_MS = 7 * 24 * 3600_000;

interface PhaseFailure {
  phase: PhaseName;
  reason: string;
}

export async function tenantWorkflow(input: TenantWorkflowInput): Promise<TenantResult> {
  const tenant = input.tenant.name;
  const state: TenantState = { tenant, status: 'pending', completedPhases: [] };
  let paused = false;
  let requested: { kind: 'retry' } | { kind: 'skip'; reason?: string } | undefined;
  let published: FirstPublishResult | undefined;
  const searchAttributes = tenantSearchAttributes(input);

  const phases: PhaseName[] = [...(input.setupOrder === 'documented' ? SETUP_PHASES : LEGACY_SETUP_PHASES), ...(input.plan.sync.enabled ? ['sync' as const] : [])];
  const attemptsOf: Partial<Record<PhaseName, number>> = {};
  /** The Web UI's current details: set with every status change (no history event). */
  const publishDetails = () => setCurrentDetails(tenantDetails({
    rolloutId: input.rolloutId, tenant, wave: input.wave, status: state.status, phase: state.phase, reason: state.reason, phases,
    completedPhases: state.completedPhases, attempts: state.phase ? attemptsOf[state.phase] : undefined,
  }));
  const setStatus = (status: TenantState['status'], phase = state.phase, reason?: string) => {
    Object.assign(state, { status, phase, reason });
    searchAttributes.upsert(status, phase);
    publishDetails();
  };
  publishDetails();

  // Messages: the update and signal variants share one implementation each.
  const canRetry = () => {
    if (state.status !== 'waiting-for-action') throw new Error(`Tenant ${tenant} is ${state.status}; only a tenant waiting for action after a failed phase can be retried`);
  };
  const canSkip = () => {
    if (state.status !== 'waiting-for-action' && state.status !== 'paused' && state.status !== 'pending') {
      throw new Error(`Tenant ${tenant} is ${state.status}; skip a tenant that waits for action or is paused (pause it first)`);
    }
  };
  const retry = () => { requested = { kind: 'retry' }; };
  const skip = (reason?: string) => { requested = { kind: 'skip', reason }; };
  setHandler(tenantStateQuery, () => ({ ...state, completedPhases: [...state.completedPhases] }));
  setHandler(tenantPauseUpdate, () => { paused = true; return { ...state }; }, {
    validator: () => { if (isFinal(state.status)) throw new Error(`Tenant ${tenant} already ${state.status}`); },
  });
  setHandler(tenantResumeUpdate, () => { paused = false; return { ...state }; }, {
    validator: () => { if (!paused) throw new Error(`Tenant ${tenant} is not paused`); },
  });
  setHandler(tenantRetryUpdate, async () => { retry(); await condition(() => requested === undefined); return { ...state }; }, { validator: canRetry });
  setHandler(tenantSkipUpdate, ({ reason }) => { skip(reason); return { ...state, status: 'skipped' as const }; }, { validator: (_args: { reason?: string }) => canSkip() });
  setHandler(tenantRetrySignal, () => { if (state.status === 'waiting-for-action') retry(); });
  setHandler(tenantSkipSignal, ({ reason }) => { if (state.status === 'waiting-for-action' || state.status === 'paused') skip(reason); });

  const ctx = tenantContext(input.rolloutId, input.plan, input.tenant);

  /** Runs the phases not yet completed; returns the first failure, or undefined when all succeeded. */
  const runPhases = async (): Promise<PhaseFailure | 'skipped' | undefined> => {
    for (const phase of phases) {
      if (state.completedPhases.includes(phase)) continue;
      if (paused) {
        setStatus('paused', phase);
        await condition(() => !paused || requested?.kind === 'skip');
      }
      if (requested?.kind === 'skip') return 'skipped';
      setStatus('running', phase);
      attemptsOf[phase] = (attemptsOf[phase] ?? 0) + 1;
      try {
        if (phase === 'sync') {
          await startTenantSync(input, lastReloadTimes(published), placedCopies(published));
        } else {
          await runSetupPhase(phase);
        }
        state.completedPhases.push(phase);
      } catch (err) {
        if (isCancellation(err)) throw err;
        return { phase, reason: describeFailure(tenant, phase, err) };
      }
    }
    return undefined;
  };

  const runSetupPhase = async (phase: SetupPhase): Promise<void> => {
    const acts = phaseActivities(phase, tenant, input.activityRetry);
    switch (phase) {
      case 'policy': await acts.ensurePolicy(ctx); break;
      case 'verify': await acts.verifyApp(ctx); break;
      case 'deployment': await acts.ensureDeployment(ctx); break;
      case 'idp': await acts.ensureIdp(ctx); break;
      case 'publish': published = await acts.firstPublish(ctx); break;
    }
  };

  const report = (status: TenantResult['status']) => reportToParent(input, { tenant, status, phase: state.phase, reason: state.reason });

  try {
    for (;;) {
      const outcome = await runPhases();
      if (outcome === undefined) { setStatus('succeeded', state.phase); break; }
      if (outcome === 'skipped') { setStatus('skipped', state.phase, requestedReason(requested)); break; }
      setStatus('waiting-for-action', outcome.phase, outcome.reason);
      log.warn('Tenant phase failed; waiting for retry or skip', { tenant, phase: outcome.phase, reason: outcome.reason });
      // The parent counts the failure against its budget now; a later successful retry reports again.
      await report('failed');
      const acted = await condition(() => requested !== undefined, input.actionTimeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS);
      if (!acted) { setStatus('failed', state.phase, state.reason); return finish(); }
      if (requested?.kind === 'skip') { setStatus('skipped', state.phase, requestedReason(requested)); break; }
      requested = undefined;
    }
    await report(state.status as TenantResult['status']);
    return finish();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled (rollout aborted): the activities are idempotent, so whatever ran is resumable; tell the parent.
    await CancellationScope.nonCancellable(async () => {
      setStatus('cancelled', state.phase, 'cancelled');
      await report('cancelled');
    });
    throw err;
  }

  async function finish(): Promise<TenantResult> {
    await condition(allHandlersFinished);
    return { tenant, status: state.status as TenantResult['status'], phase: state.phase, reason: state.reason };
  }
}

function isFinal(status: TenantState['status']): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'skipped' || status === 'cancelled';
}

function requestedReason(requested: { kind: string; reason?: string } | undefined): string {
  return requested?.reason ?? 'skipped by an operator';
}

function lastReloadTimes(published: FirstPublishResult | undefined): Record<string, string> {
  return Object.fromEntries((published?.apps ?? []).map((app) => [app.name, app.lastReloadTime]));
}

function placedCopies(published: FirstPublishResult | undefined): Record<string, string> | undefined {
  return published ? Object.fromEntries(published.apps.map((app) => [app.name, app.cloudAppId])) : undefined;
}

async function reportToParent(input: TenantWorkflowInput, result: TenantResult): Promise<void> {
  if (!input.parentWorkflowId) return;
  try {
    await getExternalWorkflowHandle(input.parentWorkflowId).signal(tenantFinishedSignal, result);
  } catch (err) {
    // The rollout has closed (finished or aborted): nobody left to count this tenant.
    log.info('Rollout did not take the tenant report', { tenant: result.tenant, error: String(err) });
  }
}
