/**
 * The project's own Prometheus metrics (prom-client), next to the SDK runtime's metrics that Core serves on its
 * own port. Labels are deliberately low-cardinality: host kind, method, status class, activity type, phase and
 * status; never a tenant name (a rollout may have 10,000 tenants, which would mean 10,000 series per metric).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QlikCallEvent } from '../qlik/call-events';

export const METRIC_PREFIX = 'qlik_rollout_';

/** '2xx' ... '5xx', or 'network' when the request got no HTTP answer. */
export function statusClass(status: number | undefined): string {
  if (!status || status < 100 || status > 599) return 'network';
  return `${Math.floor(status / 100)}xx`;
}

/** Outcome label of an activity execution: ok, or the failure type activities throw (bounded by FailureTypes). */
export function activityOutcome(err: unknown): string {
  if (err === undefined) return 'ok';
  if (err instanceof ApplicationFailure && err.type) return err.type;
  if ((err as { name?: string })?.name === 'CancelledFailure') return 'cancelled';
  return 'error';
}

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Metric factories: the prefix and the registry in one place, label names typed for inc()/set()/observe(). */
const counter = <L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]) =>
  new Counter<L>({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [registry] });
const gauge = <L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]) =>
  new Gauge<L>({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [registry] });
const histogram = <L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]) =>
  new Histogram<L>({ name: `${METRIC_PREFIX}${name}`, help, labelNames, buckets: DURATION_BUCKETS, registers: [registry] });

export class RolloutMetrics {
  readonly registry = new Registry();

  readonly qlikCalls = counter(this.registry, 'qlik_api_calls_total',
    'HTTP calls to Qlik hosts (QSEoW QRS, Hybrid Deployment Service, Qlik Cloud), by host kind, method and status class.',
    ['host_kind', 'method', 'status_class'] as const);

  readonly qlikErrors = counter(this.registry, 'qlik_api_errors_total',
    'Qlik calls that failed: 4xx/5xx answers or no answer (network).',
    ['host_kind', 'status_class'] as const);

  readonly qlikRateLimited = counter(this.registry, 'qlik_api_rate_limited_total',
    'Qlik calls answered 429 Too Many Requests (retried after Retry-After).',
    ['host_kind'] as const);

  readonly qlikCallDuration = histogram(this.registry, 'qlik_api_call_duration_seconds',
    'Duration of Qlik HTTP calls.',
    ['host_kind'] as const);

  readonly activityDuration = histogram(this.registry, 'activity_duration_seconds',
    'Duration of activity executions on this worker, by activity type and outcome (ok or failure type).',
    ['activity_type', 'outcome'] as const);

  readonly tenants = gauge(this.registry, 'tenants',
    'Tenant workflows by QrState and QrPhase search attributes (a periodic visibility count).',
    ['status', 'phase'] as const);

  readonly rollouts = gauge(this.registry, 'rollouts',
    'Rollout workflows by QrState search attribute (a periodic visibility count).',
    ['status'] as const);

  readonly visibilityRefreshes = counter(this.registry, 'visibility_refreshes_total',
    'Visibility count refreshes, by result (ok, error).',
    ['result'] as const);

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // Node process metrics (heap, event loop lag, GC): cheap and what an operator looks at first.
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  /** The listener for the Qlik clients' call hook (`onQlikCall`); `tenant` and `route` are not labels. */
  readonly recordQlikCall = (call: QlikCallEvent): void => {
    const hostKind = call.kind;
    const cls = statusClass(call.status);
    this.qlikCalls.inc({ host_kind: hostKind, method: call.method.toUpperCase(), status_class: cls });
    this.qlikCallDuration.observe({ host_kind: hostKind }, call.durationMs / 1000);
    if (cls === 'network' || cls === '4xx' || cls === '5xx') this.qlikErrors.inc({ host_kind: hostKind, status_class: cls });
    if (call.status === 429) this.qlikRateLimited.inc({ host_kind: hostKind });
  };

  /** Worker activity interceptor timing every activity execution. */
  readonly activityInterceptor: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      execute: async (input, next) => {
        const stopTimer = this.activityDuration.startTimer({ activity_type: ctx.info.activityType });
        try {
          const result = await next(input);
          stopTimer({ outcome: 'ok' });
          return result;
        } catch (err) {
          stopTimer({ outcome: activityOutcome(err) });
          throw err;
        }
      },
    },
  });

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
