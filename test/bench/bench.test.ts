/**
 * Smoke test of the benchmark's code paths with tiny numbers, on the run's real dev server: every scenario but
 * scale (the same code as throughput) runs for real (child processes, simulator over sockets) and reports sane figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../src/bench/args';
import { runBench, writeResults } from '../../src/bench/bench';
import { expectedSlowestPathMs, latencyBound } from '../../src/bench/model';
import { testRunState } from '../helpers/temporal';

test('the latency model takes the largest of critical path, shared-object writes, rate limits and site connections', () => {
  const base = { meanLatencyMs: 175, distributionDelayMs: 200, callsPerTenant: 30, sharedWritesPerObject: 1, cloudWritesPerTenant: 4, cloudReadsPerTenant: 20, limits: { writePerMinute: 100, readPerMinute: 1000 }, qseowCallsPerTenant: 16, siteConnections: 200 };
  expect(latencyBound({ ...base, tenants: 10 })).toMatchObject({ criticalPathMs: 5450, sharedWriteFloorMs: 1750, rateLimitFloorMs: 0, boundMs: 5450, binding: 'critical path' });
  expect(latencyBound({ ...base, tenants: 200 })).toMatchObject({ sharedWriteFloorMs: 35000, boundMs: 35000, binding: 'shared-object writes' });
  expect(latencyBound({ ...base, tenants: 1, cloudWritesPerTenant: 250 })).toMatchObject({ rateLimitFloorMs: 120000, binding: 'rate limits' });
  // 200 tenants x 16 QSEoW calls x 175 ms over 32 sockets: 17.5 s.
  expect(latencyBound({ ...base, tenants: 200, sharedWritesPerObject: 0, siteConnections: 32 })).toMatchObject({ siteConnectionFloorMs: 17500, binding: 'site connections' });
});

test('the critical-path term is the expected slowest of N tenants when call latencies vary', () => {
  // 34 calls uniform in 50-300 ms: mean path 5,950 ms, standard deviation 250/sqrt(12) x sqrt(34) = 421 ms.
  const sigma = (250 / Math.sqrt(12)) * Math.sqrt(34);
  expect(Math.abs(expectedSlowestPathMs(1, 34, { min: 50, max: 300 }) - 5950)).toBeLessThan(60);
  const slowestOf200 = expectedSlowestPathMs(200, 34, { min: 50, max: 300 });
  // The expected maximum of 200 normal draws is about 2.75 standard deviations above the mean.
  expect(slowestOf200).toBeGreaterThan(5950 + 2.4 * sigma);
  expect(slowestOf200).toBeLessThan(5950 + 3.1 * sigma);
  expect(expectedSlowestPathMs(200, 34, { min: 50, max: 300 })).toBe(slowestOf200); // seeded: reproducible
  const bound = latencyBound({ tenants: 200, meanLatencyMs: 175, latencyRangeMs: { min: 50, max: 300 }, distributionDelayMs: 200, callsPerTenant: 34, sharedWritesPerObject: 0, cloudWritesPerTenant: 4, cloudReadsPerTenant: 20, limits: { writePerMinute: 100, readPerMinute: 1000 }, qseowCallsPerTenant: 16, siteConnections: 200 });
  expect(bound).toMatchObject({ criticalPathMs: 6150, slowestPathMs: Math.round(slowestOf200 + 200), boundMs: Math.round(slowestOf200 + 200), binding: 'critical path' });
});

test('flags: --only and --tenants are validated; --scale adds the scale scenario', () => {
  expect(parseArgs(['--only', 'throughput,sync', '--tenants', '5'], {})).toMatchObject({ only: ['throughput', 'sync'], tenants: 5 });
  expect(parseArgs(['--scale'], {}).only).toEqual(['throughput', 'latency', 'sync', 'scale']);
  expect(parseArgs([], { BENCH_SCALE: '1' }).only).toContain('scale');
  expect(() => parseArgs(['--only', 'througput'], {})).toThrow(/--only/);
  expect(() => parseArgs(['--tenants', '0'], {})).toThrow(/--tenants/);
  expect(parseArgs(['--server-config', 'matching.numTaskqueueReadPartitions=1', '--server-config', 'x.mode=fast'], {}).serverConfig).toEqual({ 'matching.numTaskqueueReadPartitions': 1, 'x.mode': 'fast' });
  expect(() => parseArgs(['--server-config', 'nokey'], {})).toThrow(/key=value/);
});

test('throughput, latency (with the sequential baseline) and sync run end to end with 3 tenants', async () => {
  const state = testRunState();
  const lines: string[] = [];
  const args = parseArgs(['--only', 'throughput,latency,sync', '--tenants', '3', '--baseline-tenants', '1'], {});
  const results = await runBench(args, {
    temporal: { address: state.address, namespace: state.namespace, pid: state.pid },
    bundlePath: state.bundlePath,
    log: (line) => lines.push(line),
  });
  expect(results.errors).toEqual({});

  const t = results.throughput!;
  expect(t).toMatchObject({ tenants: 3, status: 'succeeded', completed: true, succeeded: 3, verified: { checked: 3, ok: 3, problems: [] } });
  expect(t.activities).toBeGreaterThanOrEqual(15); // five setup phases per tenant
  expect(t.qlikCalls).toBeGreaterThan(t.activities);
  expect(t.tenantsPerSecond).toBeGreaterThan(0);
  expect(t.tenantHistoryEvents.samples).toBe(3);
  expect(t.rolloutHistoryPerRun.length).toBeGreaterThanOrEqual(1);
  expect(t.memory.worker?.peakRssMiB).toBeGreaterThan(50);
  expect(t.memory.simulator?.peakRssMiB).toBeGreaterThan(20);

  const l = results.latency!;
  expect(l).toMatchObject({ tenants: 3, status: 'succeeded', verified: { ok: 3 } });
  expect(l.baseline.measuredTenants).toBe(1);
  expect(l.baseline.meanCallsPerTenant).toBeGreaterThan(10);
  // Each call sleeps 50-300 ms in the simulator: the path of one tenant cannot be faster than its calls.
  expect(l.baseline.meanMsPerTenant).toBeGreaterThan(l.baseline.meanCallsPerTenant * 50);
  expect(l.model.criticalPathMs).toBeGreaterThan(0);
  expect(l.ratioToBound).toBeGreaterThanOrEqual(0.9);
  // The orchestration floor ran the same rollout with activities answering at once: no Qlik latency to wait on.
  expect(l.orchestrationFloor).toMatchObject({ tenants: 3, status: 'succeeded' });
  expect(l.orchestrationFloor!.wallSeconds).toBeGreaterThan(0);
  expect(l.orchestrationFloor!.wallSeconds).toBeLessThan(l.wallSeconds);
  expect(l.orchestrationFloor!.ratioToBound).toBeLessThan(l.ratioToBound);

  const s = results.sync!;
  expect(s).toMatchObject({ tenants: 3, rolloutStatus: 'succeeded', confirmedByQuery: 3 });
  expect(s.lagAllSeconds).toBeGreaterThan(0);
  expect(s.lagP50Seconds).toBeLessThanOrEqual(s.lagAllSeconds);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  const written = writeResults(results, dir);
  expect(JSON.parse(fs.readFileSync(written.json, 'utf8')).throughput.tenants).toBe(3);
  expect(written.text).toMatch(/\| throughput: tenants\/s \|/);
  expect(written.text).toMatch(/\| latency: wall \/ bound \|/);
  expect(written.text).toMatch(/\| latency: orchestration alone \(same rollout, activities answer at once\) \| [\d.]+ s \(succeeded\)/);
  expect(written.text).toMatch(/\| sync: one reload/);
}, 150_000);
