/**
 * The latency model's lower bound on a rollout's wall time (explained in bench/README.md):
 *
 *   bound = max(per-tenant critical path, shared-object write floor, rate-limit floor, site-connection floor)
 *
 * - per-tenant critical path: a tenant's phases are sequential and its Qlik calls are sequential, so no schedule
 *   finishes it faster than the sum of its calls' latencies + the distribution delay: on average
 *   (calls on its path) x (mean call latency) + (distribution delay). The rollout ends with its slowest tenant, so
 *   the bound is the expected *largest* of N such sums when each call's latency is drawn uniformly from the range
 *   (computed by a seeded simulation of the latency draws alone, so the figure is reproducible).
 * - shared-object write floor: every tenant adds its deployment name to the same QSEoW objects (the custom property
 *   definition and each plan app). QRS rejects a stale write (409), so writes to one object are serialised, and a
 *   write can only succeed if its read came after the previous write: successive successful writes are at least one
 *   request latency apart. N tenants x (writes per tenant on the busiest object = 1) x mean latency.
 * - rate-limit floor: Qlik Cloud meters each tenant (tier 2 writes 100/min, tier 1 reads 1,000/min); a tenant
 *   needing more calls than one window allows waits for the next window.
 * - site-connection floor: every tenant's QSEoW calls share the worker's sockets to the one site (plan
 *   source.qrs.connections): N tenants x QSEoW calls per tenant x mean latency / sockets.
 */
import { mulberry32 } from '../simulator/random';

export interface LatencyModelInput {
  tenants: number;
  meanLatencyMs: number;
  /** Each call's latency is uniform in this range (its mean is meanLatencyMs); absent: every call takes the mean. */
  latencyRangeMs?: { min: number; max: number };
  distributionDelayMs: number;
  /** Mean Qlik calls on one tenant's path (measured by the sequential baseline). */
  callsPerTenant: number;
  /** Per tenant: successful writes to the busiest shared QSEoW object. */
  sharedWritesPerObject: number;
  /** Per tenant, largest over tenants. */
  cloudWritesPerTenant: number;
  cloudReadsPerTenant: number;
  limits: { writePerMinute: number; readPerMinute: number };
  /** Mean QSEoW (QRS + deployments API) calls per tenant, and the sockets the worker opens to the site. */
  qseowCallsPerTenant: number;
  siteConnections: number;
}

export interface LatencyBound {
  /** One tenant's path at mean latencies. */
  criticalPathMs: number;
  /** The expected slowest of N tenants' paths (the critical-path term of the bound). */
  slowestPathMs: number;
  sharedWriteFloorMs: number;
  rateLimitFloorMs: number;
  siteConnectionFloorMs: number;
  boundMs: number;
  /** Which term is the bound. */
  binding: 'critical path' | 'shared-object writes' | 'rate limits' | 'site connections';
}

function windowsNeeded(calls: number, perMinute: number): number {
  return Math.max(0, Math.ceil(calls / perMinute) - 1) * 60_000;
}

const SLOWEST_PATH_TRIALS = 400;

/** Expected largest, over `tenants` tenants, of the sum of `calls` latencies each uniform in `range` (ms). */
export function expectedSlowestPathMs(tenants: number, calls: number, range: { min: number; max: number }): number {
  // Seeded: the model's figure must not change from run to run.
  const random = mulberry32(8);
  const whole = Math.max(0, Math.round(calls));
  let total = 0;
  for (let trial = 0; trial < SLOWEST_PATH_TRIALS; trial++) {
    let slowest = 0;
    for (let tenant = 0; tenant < tenants; tenant++) {
      let path = 0;
      for (let call = 0; call < whole; call++) path += range.min + random() * (range.max - range.min);
      slowest = Math.max(slowest, path);
    }
    total += slowest;
  }
  return total / SLOWEST_PATH_TRIALS;
}

export function latencyBound(input: LatencyModelInput): LatencyBound {
  const criticalPathMs = Math.round(input.callsPerTenant * input.meanLatencyMs + input.distributionDelayMs);
  const slowestPathMs = input.latencyRangeMs
    ? Math.round(expectedSlowestPathMs(input.tenants, input.callsPerTenant, input.latencyRangeMs) + input.distributionDelayMs)
    : criticalPathMs;
  const sharedWriteFloorMs = Math.round(input.tenants * input.sharedWritesPerObject * input.meanLatencyMs);
  const rateLimitFloorMs = Math.max(windowsNeeded(input.cloudWritesPerTenant, input.limits.writePerMinute), windowsNeeded(input.cloudReadsPerTenant, input.limits.readPerMinute));
  const siteConnectionFloorMs = Math.round((input.tenants * input.qseowCallsPerTenant * input.meanLatencyMs) / input.siteConnections);
  const terms: Array<[LatencyBound['binding'], number]> = [
    ['critical path', slowestPathMs], ['shared-object writes', sharedWriteFloorMs], ['rate limits', rateLimitFloorMs], ['site connections', siteConnectionFloorMs],
  ];
  const [binding, boundMs] = terms.reduce((best, term) => (term[1] > best[1] ? term : best));
  return { criticalPathMs, slowestPathMs, sharedWriteFloorMs, rateLimitFloorMs, siteConnectionFloorMs, boundMs, binding };
}
