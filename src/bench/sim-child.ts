/**
 * The simulator in its own process (so its CPU and peak memory are its own). Options come as JSON in
 * BENCH_SIM_OPTIONS; the bench asks it to reload apps, verify what the rollout built, and count requests.
 */
import { startSimulator, type SimulatorTuning } from '../simulator';
import type { SimulatorOptions } from '../simulator/api';
import { serveParent } from './rpc';
import { verifySimulatorState, type VerifyRequest } from './verify';

export interface SimChildInfo {
  qrsUrl: string;
  deploymentsUrl: string;
  qrsTokenRef: string;
  port: number;
  tenants: Array<{ name: string; url: string; apiKeyRef: string }>;
  seededApps: Array<{ name: string; stream: string; published: boolean; fileSize: number }>;
}

/** What the simulator answered, by outcome: the bench reports conflicts and rate limiting from this. */
export interface RequestStats {
  total: number;
  qseow: number;
  cloud: number;
  byStatus: Record<string, number>;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.BENCH_SIM_OPTIONS ?? '{}') as SimulatorOptions & SimulatorTuning;
  const sim = await startSimulator(options);
  const info: SimChildInfo = {
    qrsUrl: sim.qrsUrl, deploymentsUrl: sim.deploymentsUrl, qrsTokenRef: sim.qrsTokenRef, port: sim.port,
    tenants: sim.tenants.map(({ name, url, apiKeyRef }) => ({ name, url, apiKeyRef })), seededApps: sim.seededApps,
  };
  serveParent(info, {
    reload: ({ appName }: { appName: string }) => sim.reloadApp(appName),
    verify: (request: VerifyRequest) => verifySimulatorState(sim.dump(), request),
    clearRequests: () => { sim.clearRequestLog(); return true; },
    requestStats: (): RequestStats => {
      const stats: RequestStats = { total: 0, qseow: 0, cloud: 0, byStatus: {} };
      for (const entry of sim.requestLog()) {
        stats.total += 1;
        if (entry.host === 'qrs') stats.qseow += 1;
        else stats.cloud += 1;
        stats.byStatus[entry.status] = (stats.byStatus[entry.status] ?? 0) + 1;
      }
      return stats;
    },
  }, () => sim.stop());
}

main().catch((err: Error) => {
  process.stderr.write(`bench simulator failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
