/**
 * Label discipline of the project's metrics: bounded label sets (host kind, status class), 429s counted apart,
 * no tenant label however many tenants call. Uses prom-client's real registry and text output.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from '../../src/activities/types';
import { activityOutcome, RolloutMetrics, statusClass } from '../../src/worker/metrics';
import { parsePrometheusText, total } from './scrape';

test('status classes: 2xx..5xx, and network when no answer came', () => {
  expect([200, 204, 404, 429, 503, 0].map(statusClass)).toEqual(['2xx', '2xx', '4xx', '4xx', '5xx', 'network']);
});

test('activity outcomes are the failure types activities throw, not free text', () => {
  expect(activityOutcome(undefined)).toBe('ok');
  expect(activityOutcome(ApplicationFailure.create({ type: FailureTypes.Config, message: 'bad key for tenant-7' }))).toBe(FailureTypes.Config);
  expect(activityOutcome(new Error('socket hang up'))).toBe('error');
});

test('Qlik calls from 1,000 tenants make a handful of series, and 429s are counted apart', async () => {
  const metrics = new RolloutMetrics({ defaultMetrics: false });
  for (let i = 0; i < 1000; i++) {
    const status = i % 10 === 0 ? 429 : i % 7 === 0 ? 503 : 200;
    metrics.recordQlikCall({ kind: 'cloud', tenant: `tenant-${i}`, method: 'get', route: '/api/v1/items', status, durationMs: 12, outcome: 'ok' });
  }
  metrics.recordQlikCall({ kind: 'qrs', method: 'PUT', route: '/qrs/app/{id}', status: 0, durationMs: 3000, outcome: 'network-error' });
  const samples = parsePrometheusText((await metrics.render()).body);
  const calls = samples.filter((s) => s.name === 'qlik_rollout_qlik_api_calls_total');
  expect(calls.length).toBe(4);
  expect(total(samples, 'qlik_rollout_qlik_api_calls_total')).toBe(1001);
  expect(total(samples, 'qlik_rollout_qlik_api_rate_limited_total', { host_kind: 'cloud' })).toBe(100);
  expect(total(samples, 'qlik_rollout_qlik_api_errors_total', { host_kind: 'cloud', status_class: '4xx' })).toBe(100);
  expect(total(samples, 'qlik_rollout_qlik_api_errors_total', { host_kind: 'qrs', status_class: 'network' })).toBe(1);
  expect(total(samples, 'qlik_rollout_qlik_api_call_duration_seconds_count', { host_kind: 'cloud' })).toBe(1000);
  expect(samples.filter((s) => 'tenant' in s.labels || 'route' in s.labels)).toEqual([]);
});
