import { startSimulator, type Simulator } from '../../src/simulator';
import { cloudClient, readSecret, type CloudClient } from './client';

describe('Qlik Cloud tenants', () => {
  let sim: Simulator;
  let cloud: CloudClient;

  beforeAll(async () => {
    sim = await startSimulator({ tenants: 3, seed: 3, rateLimitPerMinute: { write: 5 }, tenantsWithoutManagedSpaces: ['tenant-003'] });
    cloud = cloudClient(sim.tenants[0]);
  });
  afterAll(() => sim.stop());

  it('serves each tenant on its own loopback host and rejects a bad API key with a JSON:API 401', async () => {
    expect(sim.tenants.map((t) => new URL(t.url).hostname)).toEqual(['127.1.0.1', '127.1.0.2', '127.1.0.3']);
    const me = await cloud('GET', '/api/v1/users/me');
    expect(me.status).toBe(200);
    expect(me.body.tenantId).toBe(sim.tenants[0].tenantId);
    const denied = await cloud('GET', '/api/v1/users/me', undefined, { apiKey: 'wrong' });
    expect(denied.status).toBe(401);
    expect(denied.body.errors[0]).toMatchObject({ code: 'HTTP-401', status: 401 });
    expect(typeof denied.body.traceId).toBe('string');
    // Another tenant's key does not open this tenant.
    const otherKey = await cloudClient(sim.tenants[1])('GET', '/api/v1/users/me');
    expect(otherKey.body.tenantId).toBe(sim.tenants[1].tenantId);
    expect((await cloud('GET', '/api/v1/nothing-here')).status).toBe(404);
  });

  it('rejects an IdP whose tenantIds name another tenant (403) and keeps the token write-only', async () => {
    const payload = { provider: 'qlik', protocol: 'qsefw-local-bearer-token', interactive: false, base64Encoded: 'dG9rZW4=', description: 'mc' };
    const wrong = await cloud('POST', '/api/v1/identity-providers', { ...payload, tenantIds: [sim.tenants[1].tenantId] });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errors[0].detail).toContain(sim.tenants[0].tenantId);
    const created = await cloud('POST', '/api/v1/identity-providers', { ...payload, tenantIds: [sim.tenants[0].tenantId] });
    expect(created.status).toBe(201);
    expect(created.body.base64Encoded).toBeUndefined();
    const list = await cloud('GET', '/api/v1/identity-providers');
    expect(list.body.data.map((i: { id: string }) => i.id)).toContain(created.body.id);
    expect((await cloud('PATCH', `/api/v1/identity-providers/${created.body.id}`, [{ op: 'replace', path: '/active', value: false }])).status).toBe(204);
    expect((await cloud('GET', `/api/v1/identity-providers/${created.body.id}`)).body.active).toBe(false);
    expect((await cloud('DELETE', `/api/v1/identity-providers/${created.body.id}`)).status).toBe(204);
    expect((await cloud('GET', `/api/v1/identity-providers/${created.body.id}`)).status).toBe(404);
  });

  it('keeps space names unique, searches names by contains, pages with links.next, and 403s managed spaces on small editions', async () => {
    const reads = cloudClient(sim.tenants[1]);
    for (const name of ['Griffin Finance', 'Finance Managed', 'Ops']) {
      expect((await reads('POST', '/api/v1/spaces', { name, type: name === 'Ops' ? 'shared' : 'managed' })).status).toBe(201);
    }
    const dup = await reads('POST', '/api/v1/spaces', { name: 'ops', type: 'shared' });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].title).toBe('Conflict');
    const fin = await reads('GET', '/api/v1/spaces?name=fin');
    expect(fin.body.data.map((s: { name: string }) => s.name).sort()).toEqual(['Finance Managed', 'Griffin Finance']);
    expect(fin.body.meta.count).toBe(2);
    const managed = await reads('GET', '/api/v1/spaces?type=managed&limit=1');
    expect(managed.body.data).toHaveLength(1);
    const next = await fetch(managed.body.links.next.href, { headers: { authorization: `Bearer ${readSecret(sim.tenants[1].apiKeyRef)}` } });
    const page2 = (await next.json()) as { data: Array<{ name: string }>; links: { next?: unknown; prev?: unknown } };
    expect(page2.data).toHaveLength(1);
    expect(page2.data[0].name).not.toBe(managed.body.data[0].name);
    expect(page2.links.next).toBeUndefined();
    expect(page2.links.prev).toBeDefined();
    expect((await reads('GET', '/api/v1/spaces?limit=101')).status).toBe(400);
    const small = await cloudClient(sim.tenants[2])('POST', '/api/v1/spaces', { name: 'Managed', type: 'managed' });
    expect(small.status).toBe(403);
  });

  it('answers 429 with Retry-After and the Qlik body once a tier is exhausted', async () => {
    const writes = cloudClient(sim.tenants[0]);
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 8; i++) {
      const answer = await writes('POST', '/api/v1/spaces', { name: `Burst ${i}`, type: 'shared' });
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(limited?.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited?.body.errors[0]).toMatchObject({ code: 'HTTP-429', title: 'API rate limit reached.' });
    // Reads are a separate tier and still pass.
    expect((await writes('GET', '/api/v1/spaces')).status).toBe(200);
    const logged = sim.requestLog().filter((e) => e.host === 'tenant-001' && e.status === 429);
    expect(logged.length).toBe(statuses.filter((s) => s === 429).length);
  });
});
