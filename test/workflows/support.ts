import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { resolveTemporalCli } from '../../src/devserver/temporal-cli';
import { createWorker } from '../../src/worker/worker';
import { testRunState, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import type { PhaseActivities, PhaseContext } from '../../src/activities/types';
import { FailureTypes } from '../../src/activities/types';
import type { RolloutPlan, WaveSpec } from '../../src/plan/types';

/** A plan with tenants tenant-01..NN split over the given waves (no secrets: references only). */
export function makePlan(waves: Array<Partial<WaveSpec> & { name: string; size: number }>, overrides: Partial<RolloutPlan> = {}): RolloutPlan {
  let n = 0;
  const waveSpecs: WaveSpec[] = waves.map(({ size, ...w }) => ({
    concurrency: 2, soakMs: 0, approval: false, failureBudget: 0,
    ...w,
    tenants: Array.from({ length: size }, () => `tenant-${String(++n).padStart(2, '0')}`),
  }));
  return {
    name: 'test-plan',
    source: { qrsUrl: 'http://127.0.0.1:1/jwt', deploymentsUrl: 'http://127.0.0.1:1/jwt', auth: { type: 'jwt', token: 'env:QRS_JWT' }, user: { directory: 'D', id: 'u' }, rejectUnauthorized: true },
    apps: [{ name: 'Sales', stream: 'Customers' }],
    policy: { name: 'OEM distribution', customProperty: 'Deployments', stream: 'Customers' },
    limits: { maxAppSizeBytes: 5e9 },
    tenantDefaults: { managedSpace: '{name} Analytics', auth: { type: 'apiKey', key: 'env:KEY_{name}' } },
    tenants: waveSpecs.flatMap((w) => w.tenants).map((name) => ({ name, url: `http://${name}.example` })),
    waves: waveSpecs,
    failureBudget: 100,
    sync: { enabled: false, pollIntervalMs: 50 },
    ...overrides,
  };
}

export type Failer = (activity: keyof PhaseActivities, tenant: string) => Error | undefined;

export const configError = (message: string) => ApplicationFailure.create({ message, type: FailureTypes.Config, nonRetryable: true });

/**
 * In-test activity implementations with the PhaseActivities signatures: they record every call and fail where
 * `failer` says so. The Temporal server they run under is real.
 */
export function recordingActivities(options: { failer?: Failer; delayMs?: number; onCall?: (activity: string, tenant: string) => Promise<void> | void } = {}) {
  const calls: Array<{ activity: string; tenant: string }> = [];
  const step = async <T>(activity: keyof PhaseActivities, ctx: PhaseContext, result: T): Promise<T> => {
    calls.push({ activity, tenant: ctx.tenant.name });
    await options.onCall?.(activity, ctx.tenant.name);
    if (options.delayMs) await heartbeatingSleep(options.delayMs);
    const failure = options.failer?.(activity, ctx.tenant.name);
    if (failure) throw failure;
    return result;
  };
  const activities: PhaseActivities = {
    ensurePolicy: (ctx) => step('ensurePolicy', ctx, { policyId: 'p1', policy: 'unchanged', policyOrigin: 'own', policyRepaired: [], policyNotes: [], choiceValue: 'created', apps: [] }),
    verifyApp: (ctx) => step('verifyApp', ctx, { apps: [] }),
    ensureDeployment: (ctx) => step('ensureDeployment', ctx, { deploymentId: `d-${ctx.tenant.name}`, deployment: 'created' }),
    ensureIdp: (ctx) => step('ensureIdp', ctx, { idpId: `i-${ctx.tenant.name}`, idp: 'created', removed: [], foreign: [], foreignCount: 0 }),
    firstPublish: (ctx) => step('firstPublish', ctx, { spaceId: 's', space: 'created', apps: [{ name: 'Sales', sourceAppId: 'a', cloudAppId: 'c', spaceId: 's', assignment: 'updated', lastReloadTime: '2024-01-01T00:00:00.000Z' }] }),
    syncAfterReload: async (input) => step('syncAfterReload', input.ctx, { appName: input.appName, cloudAppId: 'c', lastReloadTime: input.reloadTime, repairs: [] }),
    watchReloads: async (input) => { await heartbeatingSleep(Math.min(input.maxWaitMs, 200)); return []; },
  };
  const count = (activity: string, tenant?: string) => calls.filter((c) => c.activity === activity && (!tenant || c.tenant === tenant)).length;
  return { activities, calls, count };
}

/** Sleeps while heartbeating, so a cancellation reaches the activity. */
export async function heartbeatingSleep(ms: number): Promise<void> {
  const ctx = Context.current();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    ctx.heartbeat();
    await Promise.race([ctx.sleep(Math.min(50, until - Date.now())), ctx.cancelled]);
  }
}

export async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'fixtures', 'histories');

/**
 * With RECORD_HISTORIES=1, saves the workflow's history as a replay fixture (test/replay replays them), in the
 * JSON of `temporal workflow show --output json` (what Worker.runReplayHistory reads).
 */
export async function recordHistory(handle: Pick<WorkflowHandle, 'workflowId'>, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const { address, namespace } = testRunState();
  const json = execFileSync(resolveTemporalCli(), ['workflow', 'show', '--address', address, '--namespace', namespace, '--workflow-id', handle.workflowId, '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), json);
}

/** Runs `fn` while a worker with these activities serves a fresh task queue on the real dev server. */
export async function withWorker<T>(t: TestTemporal, activities: object, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('wf');
  const worker = await createWorker({ connection: t.nativeConnection, namespace: t.state.namespace, taskQueue, activities, workflowBundle: { codePath: t.state.bundlePath } });
  return worker.runUntil(fn(taskQueue));
}
