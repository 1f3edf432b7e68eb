/**
 * Issue 7: bad inputs give a clear, specific error that names the thing and the fix, and change nothing they
 * should not (the simulator's dump before/after). Real dev server, real activities, simulator over sockets.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePlanText } from '../../src/plan/load';
import type { RolloutPlan } from '../../src/plan/types';
import type { Simulator } from '../../src/simulator/api';
import { rolloutWorkflow } from '../../src/workflows';
import { workflowIds, type RolloutProgress } from '../../src/workflows/messages';
import type { TestTemporal } from '../helpers/temporal';
import { closeSim, simPlan, startSim, useSimWorker } from '../integration/sim-rollout';

jest.setTimeout(180_000);

let t: TestTemporal;
let sim: Simulator;
let taskQueue: string;

useSimWorker((ready) => ({ t, taskQueue } = ready));
beforeAll(async () => { sim = await startSim({ tenants: 8, tenantsWithoutManagedSpaces: ['tenant-006'] }); });
afterAll(() => closeSim(sim));

test('malformed plans: each problem is named with its path and line', () => {
  const cases: Array<[string, RegExp]> = [
    ['name: x\napps: [\n', /line|YAML|parse/i],
    ['name: x\n', /source|apps|tenants|waves/i],
    ['name: x\nsource: {qrsUrl: "not a url"}\napps: []\ntenants: []\nwaves: []\n', /qrsUrl|source/i],
  ];
  for (const [text, expected] of cases) {
    let message = '';
    try { parsePlanText(text, 'bad.yaml'); } catch (err) { message = (err as Error).message; }
    process.stdout.write(`[bad plan] ${message.split('\n').slice(0, 3).join(' | ')}\n`);
    expect(message).toMatch(/bad\.yaml/);
    expect(message).toMatch(expected);
  }
});

/** One rollout per bad input, on one tenant of its own; the failed tenant's reason is what a person reads. */
async function failedReason(label: string, tenantIndex: number, change: (plan: RolloutPlan) => RolloutPlan): Promise<string> {
  const tenant = sim.tenants[tenantIndex].name;
  const base = simPlan(sim, [{ name: 'all', size: sim.tenants.length }]);
  const plan = change({ ...base, policy: { ...base.policy, name: `bad ${label}` }, tenants: base.tenants.filter((x) => x.name === tenant), waves: [{ ...base.waves[0], failureBudget: 1, tenants: [tenant] }] });
  const rolloutId = `bad-${label}-${Date.now().toString(36)}`;
  const result = await t.client.workflow.execute(rolloutWorkflow, {
    taskQueue, workflowId: workflowIds.rollout(rolloutId),
    args: [{ rolloutId, plan, options: { activityRetry: { initialIntervalMs: 100, maximumIntervalMs: 200, maximumAttempts: 3 }, tenantActionTimeoutMs: 500 } }],
  }) as RolloutProgress;
  const progress = result.tenants.find((x) => x.tenant === tenant);
  process.stdout.write(`[bad input: ${label}] ${progress?.status} in ${progress?.phase}: ${progress?.reason}\n`);
  expect(progress?.status).toBe('failed');
  return progress?.reason ?? '';
}

test('wrong credentials, unknown app/stream, no managed spaces, oversized app, unresolvable host: specific errors, nothing changed', async () => {
  const before = sim.dump();
  const wrongKey = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bad-key-')), 'key');
  fs.writeFileSync(wrongKey, 'not-the-api-key-0123456789');
  const withTenant = (plan: RolloutPlan, patch: Partial<RolloutPlan['tenants'][number]>) => ({ ...plan, tenants: plan.tenants.map((x) => ({ ...x, ...patch })) });

  const reasons = await Promise.all([
    failedReason('credentials', 0, (p) => withTenant(p, { auth: { type: 'apiKey', key: `file:${wrongKey}` } })),
    failedReason('app', 1, (p) => ({ ...p, apps: [{ name: 'No Such App', stream: p.apps[0].stream }] })),
    failedReason('stream', 2, (p) => ({ ...p, apps: [{ name: p.apps[0].name, stream: 'No Such Stream' }], policy: { ...p.policy, stream: 'No Such Stream' } })),
    failedReason('nospaces', 5, (p) => p),
    failedReason('oversized', 3, (p) => ({ ...p, limits: { ...p.limits, maxAppSizeBytes: 1 } })),
    failedReason('dns', 4, (p) => withTenant(p, { url: 'https://nope.invalid' })),
  ]);
  const [credentials, app, stream, noSpaces, oversized, dns] = reasons;
  expect(credentials).toMatch(/tenant-0*1/);
  expect(credentials).toMatch(/401|credential|API key|unauthori[sz]ed/i);
  expect(app).toMatch(/No Such App/);
  expect(stream).toMatch(/No Such Stream/);
  expect(noSpaces).toMatch(/tenant-006/);
  expect(noSpaces).toMatch(/managed space/i);
  expect(oversized).toMatch(/size|large|maxAppSizeBytes/i);
  expect(dns).toMatch(/nope\.invalid/);

  // Nothing changed in the failing tenants' clouds: no app copy arrived anywhere, no space where none can be.
  const after = sim.dump();
  for (const index of [0, 1, 2, 3, 4]) {
    const name = sim.tenants[index].name;
    expect(after.tenants[name].apps).toEqual(before.tenants[name].apps);
  }
  // The edition without managed spaces still receives the distributed apps (QSEoW sends them), staged and unplaced.
  expect(after.tenants[sim.tenants[5].name].apps.every((a) => a.spaceId === null)).toBe(true);
  expect(after.tenants[sim.tenants[5].name].spaces.filter((s) => s.type === 'managed')).toEqual([]);
  expect(after.tenants[sim.tenants[0].name]).toEqual(before.tenants[sim.tenants[0].name]);
});
