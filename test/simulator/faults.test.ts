import type { FaultRule } from '../../src/simulator';
import { startSimulator } from '../../src/simulator';
import { cloudClient, qrsClient } from './client';

/** Runs the same request sequence against a fresh simulator and returns what each request saw. */
async function outcomes(seed: number, rules: FaultRule[]): Promise<string[]> {
  const sim = await startSimulator({ tenants: 2, seed, faults: rules, rateLimits: false });
  try {
    const cloud = cloudClient(sim.tenants[0]);
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      try {
        const answer = await cloud('GET', '/api/v1/spaces');
        seen.push(`${answer.status}${answer.headers['retry-after'] ? `/${answer.headers['retry-after']}` : ''}`);
      } catch (err) {
        seen.push(`reset:${(err as { code?: string }).code ?? 'error'}`);
      }
    }
    return seen;
  } finally {
    await sim.stop();
  }
}

describe('fault injection', () => {
  const rules: FaultRule[] = [{ host: 'tenant-001', route: 'GET /api/v1/spaces', errorRate: 0.2, resetRate: 0.1, rateLimitBurstRate: 0.1, burstLength: 2, retryAfterSeconds: 3 }];

  it('reproduces the same faults from the same seed, and different ones from another seed', async () => {
    const a = await outcomes(42, rules);
    const b = await outcomes(42, rules);
    const c = await outcomes(43, rules);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toContain('503');
    expect(a).toContain('200');
    expect(a.some((o) => o.startsWith('reset:'))).toBe(true);
    expect(a).toContain('429/3');
  });

  it('applies latency, tenant-down windows, and can be steered through the admin routes', async () => {
    const sim = await startSimulator({ tenants: 2, seed: 9 });
    try {
      const cloud = cloudClient(sim.tenants[1]);
      const post = (path: string, body: unknown) => fetch(`${sim.adminUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/faults', { rules: [{ host: 'tenant-002', latencyMs: { min: 120, max: 150 } }] })).status).toBe(200);
      const started = Date.now();
      expect((await cloud('GET', '/api/v1/users/me')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(115);
      // Other hosts are untouched by a rule for tenant-002.
      const qrs = qrsClient(sim);
      const t0 = Date.now();
      expect((await qrs('GET', '/qrs/about')).status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(115);

      expect((await post('/faults', [])).status).toBe(200);
      expect((await post('/tenant-down', { tenant: 'tenant-002', forMs: 200 })).status).toBe(204);
      const down = await cloud('GET', '/api/v1/users/me');
      expect(down.status).toBe(503);
      expect(down.body.errors[0].code).toBe('HTTP-503');
      await new Promise((r) => setTimeout(r, 220));
      expect((await cloud('GET', '/api/v1/users/me')).status).toBe(200);
      expect((await post('/tenant-down', { tenant: 'nobody', forMs: 1 })).status).toBe(404);

      const reloaded = await post('/reload', { app: 'Sales Analytics' });
      expect(reloaded.status).toBe(200);
      const { appId, lastReloadTime } = (await reloaded.json()) as { appId: string; lastReloadTime: string };
      const state = (await (await fetch(`${sim.adminUrl}/state`)).json()) as import('../../src/simulator').SimState;
      expect(state.site.apps.find((a) => a.id === appId)?.lastReloadTime).toBe(lastReloadTime);
      expect(Object.keys(state.tenants)).toEqual(['tenant-001', 'tenant-002']);
      const requests = (await (await fetch(`${sim.adminUrl}/requests`)).json()) as Array<{ host: string; status: number }>;
      expect(requests.filter((r) => r.host === 'tenant-002').map((r) => r.status)).toEqual([200, 503, 200]);
      const info = (await (await fetch(`${sim.adminUrl}/info`)).json()) as { tenants: unknown[]; secretsDir: string };
      expect(info.tenants).toHaveLength(2);
      expect(info.secretsDir).toBe(sim.qrsTokenRef.replace(/^file:/, '').replace(/\/qrs\.jwt$/, ''));
    } finally {
      await sim.stop();
    }
  });
});
