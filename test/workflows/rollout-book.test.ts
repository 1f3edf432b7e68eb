import { RolloutBook } from '../../src/workflows/rollout-book';
import type { RolloutCarriedState, RolloutInput } from '../../src/workflows/messages';
import { makePlan } from './support';

const fresh = (): RolloutCarriedState => ({ run: 1, waveIndex: 0, nextTenantIndex: 0, stage: 'running', paused: false, records: {} });

test('a 10,000-tenant rollout keeps input and carried state within Temporal payload limits and O(1) per event', () => {
  const plan = makePlan([{ name: 'canary', size: 100, concurrency: 10 }, { name: 'early', size: 900, concurrency: 50 }, { name: 'rest', size: 9_000, concurrency: 100 }]);
  plan.tenants = plan.tenants.map((t) => ({ ...t, url: `https://${t.name}.eu.qlikcloud.com` }));
  const book = new RolloutBook('big', plan, fresh());
  const started = Date.now();
  while (book.currentWave()) {
    while (book.canStartNext()) {
      const tenant = book.takeNextTenant()!;
      book.record(tenant, { status: 'running', phase: 'policy' });
      book.record(tenant, { status: 'succeeded', phase: 'sync' });
    }
    expect(book.waveDone()).toBe(true);
    book.nextWave();
  }
  const elapsed = Date.now() - started;
  const carriedBytes = JSON.stringify(book.state).length;
  const input: RolloutInput = { rolloutId: 'big', plan, carried: book.state };
  const inputBytes = JSON.stringify(input).length;
  process.stdout.write(`\n[figures] 10,000 tenants: book ${elapsed} ms, carried state ${(carriedBytes / 1024).toFixed(0)} KiB, continue-as-new input ${(inputBytes / 1024).toFixed(0)} KiB\n`);
  expect(Object.keys(book.state.records)).toHaveLength(10_000);
  expect(inputBytes).toBeLessThan(2 * 1024 * 1024); // Temporal rejects payloads over 2 MB
  expect(elapsed).toBeLessThan(5_000);
  const progress = book.progress(false, false, undefined, { finalOnly: true });
  expect(progress.tenants).toEqual([]); // the final result lists exceptions only
  expect(progress.waves.map((w) => w.counts.succeeded)).toEqual([100, 900, 9_000]);
});

test('budgets: a wave budget and the overall budget halt; pending tenants are derived from the plan', () => {
  const plan = makePlan([{ name: 'canary', size: 2, failureBudget: 0 }, { name: 'rest', size: 3, failureBudget: 5 }], { failureBudget: 1 });
  const book = new RolloutBook('b', plan, fresh());
  expect(book.budgetSpent()).toBeUndefined();
  book.record('tenant-01', { status: 'failed', phase: 'idp', reason: 'x' });
  expect(book.budgetSpent()).toBe('failure budget of wave "canary" spent: 1 failed > 0 allowed');
  book.checkBudgets();
  expect(book.status(false)).toBe('halted');
  expect(book.canStartNext()).toBe(false);
  book.record('tenant-01', { status: 'skipped' });
  expect(book.budgetSpent()).toBeUndefined();
  Object.assign(book.state, { waveIndex: 1, halted: undefined });
  book.record('tenant-03', { status: 'failed' });
  book.record('tenant-04', { status: 'failed' });
  expect(book.budgetSpent()).toBe('overall failure budget spent: 2 failed > 1 allowed');
  const progress = book.progress(false, true);
  expect(progress.waves[1].counts).toMatchObject({ failed: 2, pending: 1 });
  expect(progress.tenants.filter((t) => t.status === 'pending').map((t) => t.tenant)).toEqual(['tenant-02', 'tenant-05']);
  expect(() => book.assertStatus('tenant-03', ['pending'], 'skip')).toThrow(/Cannot skip tenant tenant-03: it is failed/);
  expect(() => book.assertStatus('nobody', ['failed'], 'retry')).toThrow(/has no tenant nobody/);
});
