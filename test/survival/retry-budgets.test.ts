/**
 * Retry budgets by time (plan `retries`, src/activities/retry-budget.ts): a 429 storm on one tenant and a
 * multi-minute outage of another both converge with no operator action and far more attempts than the old fixed
 * budgets (6 or 8) allowed; a spent transient budget stops the phase with a message naming it.
 */
import { DEFAULT_DISTRIBUTION } from '../../src/plan/types';
import { rolloutWorkflow } from '../../src/workflows';
import { workflowIds, type TenantResult } from '../../src/workflows/messages';
import { simPlan } from '../integration/sim-rollout';
import { exactlyOnceProblems, simPerTest } from './support';

jest.setTimeout(420_000);

const { rig, start } = simPerTest();

/** Multi-minute: longer than the old publish budget (6 attempts, ~31 s of backoff) by far. OUTAGE_MS overrides. */
const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 150_000);
/** A storm of 429s on another tenant, longer than the old budgets too (8 attempts at Retry-After 3 s = 24 s). */
const STORM_MS = Math.min(OUTAGE_MS, 90_000);

/** Highest attempt number of any activity in a workflow's history, per activity type. */
async function attemptsOf(workflowId: string): Promise<Record<string, number>> {
  const history = await rig.t.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const most: Record<string, number> = {};
  for (const event of history.events ?? []) {
    const s = event.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const type = scheduled.get(String(started.scheduledEventId)) ?? '?';
      most[type] = Math.max(most[type] ?? 0, started.attempt ?? 0);
    }
  }
  return most;
}

test('a 429 storm on one tenant and a multi-minute outage of another converge with no operator action', async () => {
  const sim = await start({ tenants: 4, seed: 41 });
  const [, stormy, down] = sim.tenants.map((x) => x.name);
  const plan = simPlan(sim, [{ name: 'all', size: 4, concurrency: 4 }], {
    retries: { transientMs: OUTAGE_MS + 120_000, rateLimitedMs: OUTAGE_MS + 300_000 },
    distribution: { ...DEFAULT_DISTRIBUTION, resendAfterMs: 5_000 },
  });
  sim.clearRequestLog();
  // A storm: every request to the tenant answered 429, Retry-After 3 s, for STORM_MS; then the limit lifts.
  sim.setFaults([{ host: stormy, rateLimitBurstRate: 1, burstLength: 0, retryAfterSeconds: 3 }]);
  const calm = setTimeout(() => sim.setFaults([]), STORM_MS);
  sim.setTenantDown({ tenant: down, forMs: OUTAGE_MS });
  const rolloutId = `budgets-${Date.now().toString(36)}`;
  const started = Date.now();
  // No maximumAttempts: production's unlimited attempts; short intervals only to keep the test brisk.
  const result = await rig.t.client.workflow.execute(rolloutWorkflow, {
    taskQueue: rig.taskQueue, workflowId: workflowIds.rollout(rolloutId),
    args: [{ rolloutId, plan, options: { activityRetry: { initialIntervalMs: 200, maximumIntervalMs: 5_000 }, tenantActionTimeoutMs: 1_000 } }],
  });
  const ms = Date.now() - started;
  clearTimeout(calm);
  sim.setFaults([]);
  const log = sim.requestLog();
  const storm429 = log.filter((e) => e.host === stormy && e.status === 429).length;
  const down503 = log.filter((e) => e.host === down && e.status === 503).length;
  const stormAttempts = await attemptsOf(workflowIds.tenant(rolloutId, stormy));
  const downAttempts = await attemptsOf(workflowIds.tenant(rolloutId, down));
  process.stdout.write(`\n[figures] 429 storm on ${stormy} (every request, ${STORM_MS} ms): ${storm429} × 429, most attempts per activity ${JSON.stringify(stormAttempts)}; ${down} down ${OUTAGE_MS} ms: ${down503} × 503, most attempts ${JSON.stringify(downAttempts)}; rollout ${ms} ms\n`);

  expect(result.status).toBe('succeeded');
  expect(result.waves[0].counts.succeeded).toBe(4);
  expect(exactlyOnceProblems(sim.dump(), plan)).toEqual([]);
  expect(storm429).toBeGreaterThan(8);
  expect(Math.max(...Object.values(stormAttempts))).toBeGreaterThan(8);
  expect(Math.max(...Object.values(downAttempts))).toBeGreaterThan(8); // the old budgets: 8 (config) and 6 (publish)
  expect(ms).toBeGreaterThan(OUTAGE_MS);
});

test('a spent transient budget stops the phase at once, naming retries.transient', async () => {
  const sim = await start({ tenants: 1, seed: 43 });
  const plan = simPlan(sim, [{ name: 'all', size: 1, concurrency: 1, failureBudget: 1 }], { retries: { transientMs: 3_000, rateLimitedMs: 60_000 } });
  const tenant = sim.tenants[0].name;
  sim.setTenantDown({ tenant, forMs: 60_000 });
  const rolloutId = `budget-spent-${Date.now().toString(36)}`;
  const started = Date.now();
  await rig.t.client.workflow.execute(rolloutWorkflow, {
    taskQueue: rig.taskQueue, workflowId: workflowIds.rollout(rolloutId),
    args: [{ rolloutId, plan, options: { activityRetry: { initialIntervalMs: 200, maximumIntervalMs: 1_000 }, tenantActionTimeoutMs: 500 } }],
  });
  const tenantResult = (await rig.t.client.workflow.getHandle(workflowIds.tenant(rolloutId, tenant)).result()) as TenantResult;
  process.stdout.write(`[figures] transient budget 3 s: tenant ${tenantResult.status} in phase ${tenantResult.phase} after ${Date.now() - started} ms: ${tenantResult.reason}\n`);
  expect(tenantResult.status).toBe('failed');
  expect(tenantResult.phase).toBe('idp');
  expect(tenantResult.reason).toContain('retries.transient = 3s');
  expect(Date.now() - started).toBeLessThan(30_000);
});
