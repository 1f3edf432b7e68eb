/** The shared transport over real sockets to the simulator: call events, pagination, resets, timeouts, 5xx. */
import { Pool } from 'undici';
import { z } from 'zod';
import { FailureTypes } from '../../src/activities/types';
import { cloudClient } from '../../src/qlik/cloud/client';
import { listAll } from '../../src/qlik/cloud/pagination';
import { createSpace, SpaceSchema } from '../../src/qlik/cloud/spaces';
import { getMe } from '../../src/qlik/cloud/users';
import { QlikNetworkError, toActivityFailure } from '../../src/qlik/errors';
import { qrsApps } from '../../src/qlik/qrs/apps';
import { qrsClient } from '../../src/qlik/qrs/client';
import { onQlikCall, Transport, type QlikCallEvent } from '../../src/qlik/transport';
import { resolveSecret } from '../../src/shared/secrets';
import type { Simulator } from '../../src/simulator/api';
import { phaseContext, startTestSimulator, stopAll } from '../activities/sim-context';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 2 });
});
afterAll(() => stopAll(sim));
afterEach(() => sim.setFaults([]));

test('every call fires onQlikCall with host kind, tenant, route template, status and outcome', async () => {
  const events: QlikCallEvent[] = [];
  const unsubscribe = onQlikCall((event) => events.push(event));
  try {
    const ctx = phaseContext(sim, sim.tenants[0]);
    const qrs = await qrsClient(ctx.source);
    const [app] = await qrsApps.list(qrs, "name eq 'Sales Analytics'");
    await qrsApps.get(qrs, app.id);
    await getMe(cloudClient(ctx.tenant));
    sim.setFaults([{ host: ctx.tenant.name, rateLimitBurstRate: 1, burstLength: 1, retryAfterSeconds: 3 }]);
    const limited = await getMe(cloudClient(ctx.tenant)).catch((err: unknown) => toActivityFailure(err));
    expect(limited).toMatchObject({ type: FailureTypes.RateLimited, nextRetryDelay: 3000 });
  } finally {
    unsubscribe();
  }
  expect(events.map(({ kind, tenant, method, route, status, outcome }) => ({ kind, tenant, method, route, status, outcome }))).toEqual([
    { kind: 'qrs', tenant: undefined, method: 'GET', route: '/qrs/app/full', status: 200, outcome: 'ok' },
    { kind: 'qrs', tenant: undefined, method: 'GET', route: '/qrs/app/{id}', status: 200, outcome: 'ok' },
    { kind: 'cloud', tenant: sim.tenants[0].name, method: 'GET', route: '/api/v1/users/me', status: 200, outcome: 'ok' },
    { kind: 'cloud', tenant: sim.tenants[0].name, method: 'GET', route: '/api/v1/users/me', status: 429, outcome: 'rate-limited' },
  ]);
  for (const event of events) expect(event.durationMs).toBeGreaterThan(0);
});

test('pagination follows links.next until the last page', async () => {
  const ctx = phaseContext(sim, sim.tenants[1]);
  const cloud = cloudClient(ctx.tenant);
  for (const name of ['Pages A', 'Pages B', 'Pages C']) await createSpace(cloud, name, 'shared');
  sim.clearRequestLog();
  const spaces = await listAll(cloud, '/api/v1/spaces', { name: 'Pages', limit: 1 }, SpaceSchema);
  expect(spaces.map((space) => space.name).sort()).toEqual(['Pages A', 'Pages B', 'Pages C']);
  expect(sim.requestLog().filter((entry) => entry.path === '/api/v1/spaces').length).toBeGreaterThanOrEqual(3);
});

test('a reset connection and a 503 are retryable transient failures', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  sim.setFaults([{ host: ctx.tenant.name, resetRate: 1 }]);
  const reset = await getMe(cloudClient(ctx.tenant)).catch((err: unknown) => err);
  expect(reset).toBeInstanceOf(QlikNetworkError);
  expect(toActivityFailure(reset)).toMatchObject({ type: FailureTypes.Transient, nonRetryable: false });

  sim.setFaults([{ host: ctx.tenant.name, errorRate: 1 }]);
  const unavailable = await getMe(cloudClient(ctx.tenant)).catch((err: unknown) => toActivityFailure(err));
  expect(unavailable).toMatchObject({ type: FailureTypes.Transient, nonRetryable: false, message: expect.stringContaining('503') });
});

test('a GET meeting a brief 503 is sent again in place and succeeds; a write is left to the activity retry', async () => {
  const ctx = phaseContext(sim, sim.tenants[1]);
  const cloud = cloudClient(ctx.tenant);
  await getMe(cloud); // credentials cached, so the log below holds only the calls under test
  sim.setTenantDown({ tenant: ctx.tenant.name, forMs: 150 });
  sim.clearRequestLog();
  const me = await getMe(cloud);
  expect(me).toBeDefined();
  const reads = sim.requestLog().filter((entry) => entry.path === '/api/v1/users/me').map((entry) => entry.status);
  expect(reads[0]).toBe(503);
  expect(reads[reads.length - 1]).toBe(200);
  expect(reads.length).toBeLessThanOrEqual(3);

  sim.setTenantDown({ tenant: ctx.tenant.name, forMs: 150 });
  sim.clearRequestLog();
  const write = await createSpace(cloud, 'Down write', 'shared').catch((err: unknown) => toActivityFailure(err));
  expect(write).toMatchObject({ type: FailureTypes.Transient, nonRetryable: false, message: expect.stringContaining('503') });
  expect(sim.requestLog().filter((entry) => entry.path === '/api/v1/spaces').map((entry) => entry.status)).toEqual([503]);
});

test('a server that does not answer in time is a retryable timeout', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  sim.setFaults([{ host: ctx.tenant.name, latencyMs: { min: 2000, max: 2000 } }]);
  const key = await resolveSecret(sim.tenants[0].apiKeyRef, 'test');
  const pool = new Pool(new URL(ctx.tenant.url).origin, { headersTimeout: 200 });
  try {
    const transport = new Transport({
      kind: 'cloud', baseUrl: ctx.tenant.url, target: `tenant ${ctx.tenant.name}`, dispatcher: pool,
      auth: { prepare: async () => ({ headers: { authorization: `Bearer ${key}` } }) },
    });
    const failure = await transport.request({ method: 'GET', route: '/api/v1/users/me', schema: z.unknown() }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(toActivityFailure(failure)).toMatchObject({ type: FailureTypes.Transient, nonRetryable: false });
  } finally {
    await pool.close();
  }
});
