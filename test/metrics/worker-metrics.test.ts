/**
 * The production worker process serves real, changing metrics: it is started as a child process (the same entry
 * as the Docker CMD) against the run's real Temporal dev server, runs a real tenant workflow with the real phase
 * activities, and its /metrics endpoint is scraped over HTTP like Prometheus would.
 *
 * The tenant's QSEoW is unreachable here (a closed loopback port): the policy activity fails with a network error
 * and Temporal retries it, so Qlik call, error and activity counters must climb between two scrapes, and the
 * visibility gauge must show the tenant running in phase "policy".
 */
import { freePort } from '../../src/devserver/free-port';
import type { TenantWorkflowInput } from '../../src/workflows/messages';
import { workflowIds } from '../../src/workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { scrape, total, type Sample } from './scrape';
import { startWorkerChild, type WorkerChild } from './worker-process';

let t: TestTemporal;
let worker: WorkerChild | undefined;

beforeAll(async () => {
  t = await connectTestTemporal();
});
afterAll(async () => {
  await worker?.stop(5_000);
  await t.close();
});

async function scrapeUntil(url: string, accept: (samples: Sample[]) => boolean, timeoutMs = 30_000): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await scrape(url);
    if (accept(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`metrics did not reach the expected values within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function tenantInput(rolloutId: string, closedPort: number): TenantWorkflowInput {
  const qrsUrl = `http://127.0.0.1:${closedPort}/jwt`;
  return {
    rolloutId,
    wave: 'canary',
    plan: {
      source: { qrsUrl, deploymentsUrl: qrsUrl, auth: { type: 'jwt', token: 'env:METRICS_TEST_QRS_JWT' }, user: { directory: 'INTERNAL', id: 'sa_api' }, rejectUnauthorized: true },
      apps: [{ name: 'Sales', stream: 'Customers' }],
      policy: { name: 'OEM distribution', customProperty: 'Deployments', stream: 'Customers' },
      limits: { maxAppSizeBytes: 5e9 },
      tenantDefaults: {},
      sync: { enabled: false, pollIntervalMs: 1_000 },
    },
    tenant: { name: 'metrics-tenant', url: `http://127.0.0.1:${closedPort}`, managedSpace: 'metrics-tenant Analytics', auth: { type: 'apiKey', key: 'env:METRICS_TEST_API_KEY' } },
    // Fast retries so the counters move within the test; production keeps the defaults.
    activityRetry: { initialIntervalMs: 200, maximumIntervalMs: 500 },
  };
}

test('the worker process serves SDK and project metrics that change as it works, and drains on SIGTERM', async () => {
  const taskQueue = uniqueTaskQueue('metrics');
  worker = await startWorkerChild(t.state, {
    QLIK_ROLLOUT_TASK_QUEUE: taskQueue,
    METRICS_VISIBILITY_INTERVAL_MS: '300',
    WORKER_SHUTDOWN_GRACE_MS: '2000',
    // Secret references in the plan resolve on the worker, from its environment.
    METRICS_TEST_QRS_JWT: 'not-a-real-token',
    METRICS_TEST_API_KEY: 'not-a-real-key',
  });
  const healthz = await fetch(worker.metricsUrl.replace(/\/metrics$/, '/healthz'));
  expect(healthz.status).toBe(200);

  const before = await scrape(worker.metricsUrl);
  const qrsCalls = (s: Sample[]) => total(s, 'qlik_rollout_qlik_api_calls_total', { host_kind: 'qrs', status_class: 'network' });
  const policyAttempts = (s: Sample[]) => total(s, 'qlik_rollout_activity_duration_seconds_count', { activity_type: 'ensurePolicy' });
  expect(qrsCalls(before)).toBe(0);
  expect(policyAttempts(before)).toBe(0);

  const rolloutId = `metrics-${Date.now().toString(36)}`;
  const closedPort = await freePort();
  const handle = await t.client.workflow.start('tenantWorkflow', {
    taskQueue,
    workflowId: workflowIds.tenant(rolloutId, 'metrics-tenant'),
    args: [tenantInput(rolloutId, closedPort)],
  });
  try {
    const first = await scrapeUntil(worker.metricsUrl, (s) => policyAttempts(s) >= 1
      && total(s, 'qlik_rollout_tenants', { status: 'running', phase: 'policy' }) >= 1);
    const second = await scrapeUntil(worker.metricsUrl, (s) => policyAttempts(s) >= policyAttempts(first) + 2);

    // Project metrics: Qlik calls by host kind and status class (never by tenant), errors, activity timings.
    expect(qrsCalls(first)).toBeGreaterThanOrEqual(1);
    expect(qrsCalls(second)).toBeGreaterThan(qrsCalls(first));
    expect(total(second, 'qlik_rollout_qlik_api_errors_total', { host_kind: 'qrs', status_class: 'network' }))
      .toBeGreaterThan(total(first, 'qlik_rollout_qlik_api_errors_total', { host_kind: 'qrs', status_class: 'network' }));
    expect(second.filter((s) => s.name.startsWith('qlik_rollout_qlik_api') && 'tenant' in s.labels)).toEqual([]);
    expect(total(second, 'qlik_rollout_activity_duration_seconds_count', { activity_type: 'ensurePolicy', outcome: 'ok' })).toBe(0);
    expect(total(second, 'qlik_rollout_visibility_refreshes_total', { result: 'ok' }))
      .toBeGreaterThan(total(before, 'qlik_rollout_visibility_refreshes_total', { result: 'ok' }));

    // SDK runtime metrics (Core's exporter), merged into the same endpoint.
    const sdkRequests = (s: Sample[]) => total(s, 'temporal_request') + total(s, 'temporal_long_request');
    expect(sdkRequests(second)).toBeGreaterThan(sdkRequests(before));
    expect(total(second, 'temporal_activity_execution_failed', { activity_type: 'ensurePolicy' }))
      .toBeGreaterThan(total(first, 'temporal_activity_execution_failed', { activity_type: 'ensurePolicy' }));
  } finally {
    await handle.terminate('metrics test done');
  }

  const code = await worker.stop();
  expect(code).toBe(0);
  expect(worker.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['signal received', 'worker stopped']));
  // Secrets resolved on the worker never reach its logs.
  expect(JSON.stringify(worker.logs)).not.toContain('not-a-real-token');
});
