/** The retry budgets' decisions (src/activities/retry-budget.ts) on classified failures, by class and elapsed time. */
import { ApplicationFailure } from '@temporalio/common';
import { judgeFailure, type AttemptInfo, type BudgetState } from '../../src/activities/retry-budget';
import { FailureTypes } from '../../src/activities/types';
import { parsePlanText } from '../../src/plan/load';

const SPEC = { transientMs: 30 * 60_000, rateLimitedMs: 6 * 3_600_000 };
const T0 = 1_000_000;
let n = 0;
const attempt = (no = 3): AttemptInfo => ({ firstScheduledMs: T0, attempt: no, key: `test-${n++}` });
const transient = () => ApplicationFailure.create({ type: FailureTypes.Transient, message: 'tenant x failed GET /api/v1/spaces with 503; will retry.' });
const rateLimited = (ms: number) => ApplicationFailure.create({ type: FailureTypes.RateLimited, message: '429', nextRetryDelay: ms });

test('transient errors are retried until the transient budget is spent, then fail naming it', () => {
  const state: BudgetState = { rateLimitedMs: 0 };
  expect(judgeFailure(transient(), 'publish', attempt(), state, SPEC, T0 + 29 * 60_000).nonRetryable).toBe(false);
  const spent = judgeFailure(transient(), 'publish', attempt(40), state, SPEC, T0 + 31 * 60_000);
  expect(spent.nonRetryable).toBe(true);
  expect(spent.type).toBe(FailureTypes.Transient);
  expect(spent.message).toContain('retries.transient = 30m');
  expect(spent.message).toContain('503');
});

test('a 429 never counts: it waits Retry-After, and its waits are not charged to the transient budget', () => {
  const state: BudgetState = { rateLimitedMs: 0 };
  const info = attempt();
  // An hour of 429s (each Retry-After 60 s): every one stays retryable with its nextRetryDelay.
  for (let i = 0; i < 60; i++) {
    const f = judgeFailure(rateLimited(60_000), 'idp', info, state, SPEC, T0 + i * 60_000);
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(60_000);
  }
  expect(state.rateLimitedMs).toBe(3_600_000);
  // 80 minutes in, 60 of them waiting on 429s: a transient error has used 20 of its 30 minutes.
  expect(judgeFailure(transient(), 'idp', info, state, SPEC, T0 + 80 * 60_000).nonRetryable).toBe(false);
});

test('a 429 ends the phase only past the rate-limit budget (the longest a phase may run)', () => {
  const state: BudgetState = { rateLimitedMs: 0 };
  const f = judgeFailure(rateLimited(30_000), 'policy', attempt(), state, SPEC, T0 + 6 * 3_600_000 - 10_000);
  expect(f.nonRetryable).toBe(true);
  expect(f.type).toBe(FailureTypes.RateLimited);
  expect(f.message).toContain('retries.rateLimited = 6h');
});

test('config errors fail at once, whatever the budgets', () => {
  const config = ApplicationFailure.create({ type: FailureTypes.Config, nonRetryable: true, message: '401' });
  expect(judgeFailure(config, 'idp', attempt(1), { rateLimitedMs: 0 }, SPEC, T0)).toBe(config);
});

test('the plan section retries: defaults, values and bounds', () => {
  const base = `apiVersion: qlik-rollout/v1
name: r
source: { qrs: { url: "https://qseow.example.com/jwt", auth: { type: jwt, token: "env:T" } } }
apps: [{ name: A, stream: Customers }]
tenants: [{ name: t1, url: "https://t1.eu.qlikcloud.com", managedSpace: "t1 Analytics", auth: { type: apiKey, key: "env:K" } }]
`;
  expect(parsePlanText(base, 'plan.yaml').retries).toEqual({ transientMs: 30 * 60_000, rateLimitedMs: 6 * 3_600_000 });
  expect(parsePlanText(`${base}retries: { transient: 45m, rateLimited: 1d }\n`, 'plan.yaml').retries).toEqual({ transientMs: 45 * 60_000, rateLimitedMs: 86_400_000 });
  expect(() => parsePlanText(`${base}retries: { transient: 10ms }\n`, 'plan.yaml')).toThrow(/retries\.transient must be 1s to 7d/);
});
