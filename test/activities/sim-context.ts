/** Test helpers: a real simulator over sockets, phase contexts pointing at it, activities run in the activity context harness. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import type { ActivityDeps } from '../../src/activities/scope';
import type { PhaseActivities, PhaseContext } from '../../src/activities/types';
import { closeAllPools } from '../../src/qlik/pools';
import { createLogger } from '../../src/shared/logger';
import type { Simulator, SimulatorOptions, SimTenantInfo } from '../../src/simulator/api';
import { startSimulator } from '../../src/simulator';

export const PLAN_APPS = [
  { name: 'Sales Analytics', stream: 'Customers' },
  { name: 'Operations Overview', stream: 'Customers' },
];

export async function startTestSimulator(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return startSimulator({ tenants: 3, seed: 7, distributionDelayMs: 50, rateLimits: false, ...options });
}

export function phaseContext(sim: Simulator, tenant: SimTenantInfo, overrides: Partial<PhaseContext> = {}): PhaseContext {
  return {
    rolloutId: 'activities-test',
    source: {
      qrsUrl: sim.qrsUrl,
      deploymentsUrl: sim.deploymentsUrl,
      auth: { type: 'jwt', token: sim.qrsTokenRef },
      user: { directory: 'INTERNAL', id: 'sa_api' },
      rejectUnauthorized: true,
    },
    tenant: { name: tenant.name, url: tenant.url, managedSpace: `${tenant.name} Analytics`, auth: { type: 'apiKey', key: tenant.apiKeyRef } },
    apps: PLAN_APPS,
    policy: { name: 'qlik-rollout activities-test', customProperty: 'Deployments', stream: 'Customers' },
    limits: { maxAppSizeBytes: 5 * 1024 ** 3 },
    ...overrides,
  };
}

/** Fast polling for tests; a silent logger (set LOG_LEVEL=debug to see it). */
export const TEST_DEPS: ActivityDeps = {
  pollIntervalMs: 25,
  // Off, so concurrent calls in one test process race like separate workers do and the 409 path is exercised.
  coalesceWrites: false,
  arrivalTimeoutMs: 15_000,
  logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
};

export const activities: PhaseActivities = createActivities(TEST_DEPS);

const ignore = () => undefined;
export const quietTemporalLogger = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/**
 * The activity Context harness (heartbeats, cancellation) as a worker would give it: scheduled now (the harness's
 * default is 1 ms after 1970, which the phases' time budgets would read as an attempt scheduled 56 years ago).
 */
export function activityEnvironment(info: Partial<MockActivityInfo> = {}): MockActivityEnvironment {
  const now = Date.now();
  return new MockActivityEnvironment({ scheduledTimestampMs: now, currentAttemptScheduledTimestampMs: now, ...info }, { logger: quietTemporalLogger });
}

type MockActivityInfo = NonNullable<ConstructorParameters<typeof MockActivityEnvironment>[0]>;

/** Runs an activity in the activity Context harness, as a worker would. */
export function runActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return activityEnvironment().run(fn, ...args);
}

export async function stopAll(sim: Simulator | undefined): Promise<void> {
  await closeAllPools();
  await sim?.stop();
}

/** Calls in the simulator's request log matching method and path prefix. */
export function logged(sim: Simulator, method: string, pathPrefix: string, status?: number) {
  return sim.requestLog().filter((entry) => entry.method === method && entry.path.startsWith(pathPrefix) && (status === undefined || entry.status === status));
}
