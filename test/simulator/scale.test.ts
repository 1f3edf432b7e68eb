import fs from 'node:fs';
import { startSimulator } from '../../src/simulator';
import { cloudClient, qrsClient, setUpTenant, waitForCloudApp } from './client';

const openFds = () => fs.readdirSync('/proc/self/fd').length;

describe('scale', () => {
  it('serves 10,000 tenants on their own loopback addresses with one fd each', async () => {
    const before = openFds();
    const started = Date.now();
    const sim = await startSimulator({ tenants: 10_000, seed: 1 });
    try {
      const startMs = Date.now() - started;
      const fds = openFds() - before;
      // One listening socket per host (10,000 tenants + QSEoW), nothing per tenant beyond that.
      expect(fds).toBeLessThanOrEqual(10_001 + 5);
      expect(startMs).toBeLessThan(30_000); // ~1.5 s on an idle machine; generous for a shared CI box
      const last = sim.tenants[9_999];
      expect(last).toMatchObject({ name: 'tenant-10000', url: expect.stringMatching(/^http:\/\/127\.1\.39\.16:\d+$/) });
      expect((await cloudClient(last)('GET', '/api/v1/users/me')).body.tenantId).toBe(last.tenantId);
      process.stdout.write(`simulator: 10,000 tenants up in ${startMs} ms using ${fds} fds\n`);
    } finally {
      await sim.stop();
    }
  });

  it('distributes to many tenants without per-deployment rescans (200 tenants, phases 1-5)', async () => {
    const sim = await startSimulator({ tenants: 200, seed: 2, distributionDelayMs: 10, rateLimits: false });
    try {
      const qrs = qrsClient(sim);
      const started = Date.now();
      for (const tenant of sim.tenants) await setUpTenant(qrs, tenant);
      await Promise.all(sim.tenants.map((t) => waitForCloudApp(cloudClient(t), 'Sales Analytics', 20_000)));
      const perSecond = sim.tenants.length / ((Date.now() - started) / 1000);
      process.stdout.write(`simulator: ${perSecond.toFixed(1)} tenants/s through phases 1-5 (sequential client)\n`);
      // A sanity floor only: the machine is shared, the benchmark owns the real throughput figure (>10/s when idle).
      expect(perSecond).toBeGreaterThan(2);
      const state = sim.dump();
      expect(state.site.distributions.filter((d) => d.status === 'succeeded')).toHaveLength(200);
      expect(state.site.apps.find((a) => a.name === 'Sales Analytics')?.customProperties.Deployments).toHaveLength(200);
    } finally {
      await sim.stop();
    }
  });
});
