/**
 * The production worker process serves real, changing metrics: it is started as a child process (the same entry
 * as the Docker CMD) against the run's real Temporal dev server, runs a real tenant workflow with the real phase
 * activities, and its /metrics endpoint is scraped over HTTP like Prometheus would.
 *
 * First the tenant's QSEoW is unreachable (a closed loopback port): the policy activity fails with a network error
 * and Temporal retries it, so Qlik call, error and activity counters must climb between two scrapes, and the
 * visibility gauge must show the tenant running in phase "policy". Then a tenant is migrated on the Qlik simulator
 * (over real sockets, with injected 429s), and the counters must match what the simulator saw.
 */
import { freePort } from '../../src/devserver/free-port';
import { startSimulator, type Simulator } from '../../src/simulator';
import type { TenantWorkflowInput } from '../../src/workflows/messages';
import { tenantStateQuery, workflowIds } from '../../src/workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { scrape, total, type Sample } from './scrape';
import { startWorkerChild, type WorkerChild } from './worker-process';

let t: TestTemporal;
let worker: WorkerChild;
let sim: Simulator | undefined;
const taskQueue = uniqueTaskQueue('metrics');

beforeAll(async () => {
  t = await connectTestTemporal();
  worker = await startWorkerChild(t.state, {
    QLIK_ROLLOUT_TASK_QUEUE: taskQueue,
    METRICS_VISIBILITY_INTERVAL_MS: '300',
    WORKER_SHUTDOWN_GRACE_MS: '2000',
    // Secret references in the plan resolve on the worker, from its environment.
    METRICS_TEST_QRS_JWT: 'not-a-real-token',
    METRICS_TEST_API_KEY: 'not-a-real-key',
  });
});
afterAll(async () => {
  await worker?.stop(5_000);
  await sim?.stop();
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

interface Site { qrsUrl: string; deploymentsUrl: string; tokenRef: string; apps: Array<{ name: string; stream: string }> }
interface Tenant { name: string; url: string; apiKeyRef: string }

function tenantInput(rolloutId: string, site: Site, tenant: Tenant): TenantWorkflowInput {
  return {
    rolloutId,
    wave: 'canary',
    plan: {
      source: { qrsUrl: site.qrsUrl, deploymentsUrl: site.deploymentsUrl, auth: { type: 'jwt', token: site.tokenRef }, user: { directory: 'INTERNAL', id: 'sa_api' }, rejectUnauthorized: true },
      apps: site.apps,
      policy: { name: `qlik-rollout ${rolloutId}`, customProperty: 'Deployments', stream: 'Customers' },
      limits: { maxAppSizeBytes: 5 * 1024 ** 3 },
      tenantDefaults: {},
      sync: { enabled: false, pollIntervalMs: 1_000 },
    },
    tenant: { name: tenant.name, url: tenant.url, managedSpace: `${tenant.name} Analytics`, auth: { type: 'apiKey', key: tenant.apiKeyRef } },
    // Fast retries so the counters move within the test; production keeps the defaults.
    activityRetry: { initialIntervalMs: 200, maximumIntervalMs: 1_000 },
    setupOrder: 'documented',
  };
}

test('Qlik unreachable: call, error and activity counters climb while Temporal retries, the tenant shows in its first phase (deployment)', async () => {
  const healthz = await fetch(worker.metricsUrl.replace(/\/metrics$/, '/healthz'));
  expect(healthz.status).toBe(200);

  const before = await scrape(worker.metricsUrl);
  const hdsCalls = (s: Sample[]) => total(s, 'qlik_rollout_qlik_api_calls_total', { host_kind: 'hds', status_class: 'network' });
  const deploymentAttempts = (s: Sample[]) => total(s, 'qlik_rollout_activity_duration_seconds_count', { activity_type: 'ensureDeployment' });
  expect(hdsCalls(before)).toBe(0);
  expect(deploymentAttempts(before)).toBe(0);

  const rolloutId = `metrics-down-${Date.now().toString(36)}`;
  // A closed loopback port: every QSEoW call (the deployment phase's HDS calls first) fails with a connection error.
  const closed = `http://127.0.0.1:${await freePort()}`;
  const site: Site = { qrsUrl: `${closed}/jwt`, deploymentsUrl: `${closed}/jwt`, tokenRef: 'env:METRICS_TEST_QRS_JWT', apps: [{ name: 'Sales', stream: 'Customers' }] };
  const handle = await t.client.workflow.start('tenantWorkflow', {
    taskQueue,
    workflowId: workflowIds.tenant(rolloutId, 'metrics-tenant'),
    args: [tenantInput(rolloutId, site, { name: 'metrics-tenant', url: closed, apiKeyRef: 'env:METRICS_TEST_API_KEY' })],
  });
  try {
    const first = await scrapeUntil(worker.metricsUrl, (s) => deploymentAttempts(s) >= 1
      && total(s, 'qlik_rollout_tenants', { status: 'running', phase: 'deployment' }) >= 1);
    const second = await scrapeUntil(worker.metricsUrl, (s) => deploymentAttempts(s) >= deploymentAttempts(first) + 2);

    // Project metrics: Qlik calls by host kind and status class (never by tenant), errors, activity timings.
    expect(hdsCalls(first)).toBeGreaterThanOrEqual(1);
    expect(hdsCalls(second)).toBeGreaterThan(hdsCalls(first));
    expect(total(second, 'qlik_rollout_qlik_api_errors_total', { host_kind: 'hds', status_class: 'network' }))
      .toBeGreaterThan(total(first, 'qlik_rollout_qlik_api_errors_total', { host_kind: 'hds', status_class: 'network' }));
    expect(second.filter((s) => s.name.startsWith('qlik_rollout_qlik_api') && 'tenant' in s.labels)).toEqual([]);
    expect(total(second, 'qlik_rollout_activity_duration_seconds_count', { activity_type: 'ensureDeployment', outcome: 'ok' })).toBe(0);
    expect(total(second, 'qlik_rollout_visibility_refreshes_total', { result: 'ok' }))
      .toBeGreaterThan(total(before, 'qlik_rollout_visibility_refreshes_total', { result: 'ok' }));

    // SDK runtime metrics (Core's exporter), merged into the same endpoint.
    const sdkRequests = (s: Sample[]) => total(s, 'temporal_request') + total(s, 'temporal_long_request');
    expect(sdkRequests(second)).toBeGreaterThan(sdkRequests(before));
    expect(total(second, 'temporal_activity_execution_failed', { activity_type: 'ensureDeployment' }))
      .toBeGreaterThan(total(first, 'temporal_activity_execution_failed', { activity_type: 'ensureDeployment' }));
  } finally {
    await handle.terminate('metrics test done');
  }
});

test('a tenant migrated on the simulator: Qlik calls per host kind, 429s, successful phase activities, tenant succeeded', async () => {
  sim = await startSimulator({ tenants: 1, seed: 11, distributionDelayMs: 50, rateLimits: false });
  const [tenant] = sim.tenants;
  // Every few Qlik Cloud calls answer 429 with Retry-After: the clients must count them and retry.
  sim.setFaults([{ host: tenant.name, rateLimitBurstRate: 0.25, burstLength: 1, retryAfterSeconds: 1 }]);
  const before = await scrape(worker.metricsUrl);
  const calls = (s: Sample[], where: Record<string, string>) => total(s, 'qlik_rollout_qlik_api_calls_total', where);

  const rolloutId = `metrics-sim-${Date.now().toString(36)}`;
  // One of the simulator's healthy seeded apps (it also seeds apps that fail verification on purpose).
  const app = sim.seededApps.find((a) => a.name === 'Sales Analytics')!;
  expect(app).toMatchObject({ published: true });
  const site: Site = { qrsUrl: sim.qrsUrl, deploymentsUrl: sim.deploymentsUrl, tokenRef: sim.qrsTokenRef, apps: [{ name: app.name, stream: app.stream }] };
  const handle = await t.client.workflow.start('tenantWorkflow', {
    taskQueue,
    workflowId: workflowIds.tenant(rolloutId, tenant.name),
    args: [tenantInput(rolloutId, site, tenant)],
  });
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    handle.result(),
    // On a hang, say where the tenant stopped and what the worker complained about.
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => void handle.query(tenantStateQuery).then((state) => {
        const problems = worker.logs.filter((l) => Number(l.level) >= 40).slice(-3).map((l) => l.msg);
        reject(new Error(`tenant did not finish within 60 s: ${JSON.stringify(state)}; worker warnings: ${JSON.stringify(problems)}`));
      }, reject), 60_000);
    }),
  ]).finally(() => clearTimeout(timer));
  expect(result).toMatchObject({ tenant: tenant.name, status: 'succeeded' });

  const after = await scrapeUntil(worker.metricsUrl, (s) => total(s, 'qlik_rollout_tenants', { status: 'succeeded' }) >= 1);
  for (const hostKind of ['qrs', 'hds', 'cloud']) {
    const delta = calls(after, { host_kind: hostKind, status_class: '2xx' }) - calls(before, { host_kind: hostKind, status_class: '2xx' });
    expect({ hostKind, called: delta > 0 }).toEqual({ hostKind, called: true });
  }
  const rateLimited = sim.requestLog().filter((r) => r.status === 429).length;
  expect(rateLimited).toBeGreaterThan(0);
  expect(total(after, 'qlik_rollout_qlik_api_rate_limited_total', { host_kind: 'cloud' }) - total(before, 'qlik_rollout_qlik_api_rate_limited_total', { host_kind: 'cloud' }))
    .toBe(rateLimited);
  for (const activity of ['ensurePolicy', 'verifyApp', 'ensureDeployment', 'ensureIdp', 'firstPublish']) {
    expect({ activity, ok: total(after, 'qlik_rollout_activity_duration_seconds_count', { activity_type: activity, outcome: 'ok' }) })
      .toEqual({ activity, ok: 1 });
  }
});

test('SIGTERM drains the worker and the process exits 0', async () => {
  const code = await worker.stop();
  expect(code).toBe(0);
  expect(worker.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['signal received', 'worker stopped']));
  // Secrets resolved on the worker never reach its logs.
  expect(JSON.stringify(worker.logs)).not.toContain('not-a-real-token');
});
