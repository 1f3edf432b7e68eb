/**
 * Retry-After end to end: a 429 from QSEoW makes ensurePolicy fail with nextRetryDelay = Retry-After, and the real
 * Temporal server (dev server, real worker, the tenant workflow) does not run the next attempt before it, even
 * though the workflow's retry policy would otherwise retry after 100 ms.
 */
import type { Simulator } from '../../src/simulator/api';
import type { TenantWorkflowInput } from '../../src/workflows/messages';
import { connectTestTemporal, createTestWorker, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { activities, phaseContext, startTestSimulator, stopAll } from './sim-context';

const RETRY_AFTER_SECONDS = 2;

let sim: Simulator;
let temporal: TestTemporal;
beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 1 });
  temporal = await connectTestTemporal();
});
afterAll(async () => {
  await temporal?.close();
  await stopAll(sim);
});

test('the retried activity does not call Qlik again before Retry-After', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  const input: TenantWorkflowInput = {
    rolloutId: 'retry-after-test',
    wave: 'all',
    plan: { source: ctx.source, apps: ctx.apps, policy: ctx.policy, limits: ctx.limits, tenantDefaults: {}, sync: { enabled: false, pollIntervalMs: 1000 } },
    tenant: { name: ctx.tenant.name, url: ctx.tenant.url, managedSpace: ctx.tenant.managedSpace, auth: ctx.tenant.auth },
    activityRetry: { initialIntervalMs: 100, maximumIntervalMs: 100 },
  };
  const route = 'GET /qrs/systemrule';
  const ruleCalls = () => sim.requestLog().filter((entry) => `${entry.method} ${entry.path}`.startsWith(route));
  sim.setFaults([{ host: 'qrs', route, rateLimitBurstRate: 1, burstLength: 0, retryAfterSeconds: RETRY_AFTER_SECONDS }]);
  sim.clearRequestLog();

  const taskQueue = uniqueTaskQueue('retry-after');
  const worker = await createTestWorker(temporal, { taskQueue, activities });
  await worker.runUntil(async () => {
    const handle = await temporal.client.workflow.start('tenantWorkflow', { taskQueue, workflowId: `retry-after-${taskQueue}`, args: [input] });
    try {
      // The first call is answered 429; then Qlik is healthy again.
      while (ruleCalls().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      sim.setFaults([]);
      while (ruleCalls().length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await handle.terminate('test done');
    }
  });
  const [limited, retried] = ruleCalls();
  expect(limited.status).toBe(429);
  expect(retried.status).toBe(200);
  const gapMs = retried.at - limited.at;
  process.stdout.write(`Retry-After ${RETRY_AFTER_SECONDS}s: next attempt called QSEoW after ${gapMs} ms\n`);
  expect(gapMs).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000 - 50);
});
