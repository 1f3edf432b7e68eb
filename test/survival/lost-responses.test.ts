/**
 * "The write was applied but the answer was lost": for every write route the tool uses on QRS, HDS and Qlik Cloud,
 * the simulator applies the write and then destroys the socket or answers 503 (FaultRule.lostResponseRate = 1: every
 * write on the route, half for the temporary selection). The phase retries, re-reads by natural key and converges with exactly one object.
 */
import type { SimRequestLogEntry } from '../../src/simulator/api';
import { rolloutWorkflow } from '../../src/workflows';
import { workflowIds } from '../../src/workflows/messages';
import { simPlan } from '../integration/sim-rollout';
import { exactlyOnceProblems, simPerTest } from './support';

jest.setTimeout(120_000);

const { rig, start } = simPerTest();

/** Each write the tool makes, by the object it makes (method + path prefix, as FaultRule.route matches). */
const WRITE_ROUTES: Array<{ object: string; host: string; route: string; rate?: number; seed?: number }> = [
  { object: 'policy (system rule)', host: 'qrs', route: 'POST /qrs/systemrule' },
  { object: 'custom property choice value', host: 'qrs', route: 'PUT /qrs/custompropertydefinition' },
  // The tool needs this answer (the selection's id) to go on, so with every answer lost nothing could ever converge:
  // half of them (seed 35: the first two lost, the third answered). The selection is temporary (no natural key); what must stay single is the value on each app.
  { object: 'selection of the apps (temporary)', host: 'qrs', route: 'POST /qrs/selection', rate: 0.5, seed: 35 },
  { object: 'custom property value on the apps', host: 'qrs', route: 'PUT /qrs/selection' },
  { object: 'deployment (HDS)', host: 'qrs', route: 'POST /api/hds/v1/Deployments' },
  { object: 'IdP', host: '*', route: 'POST /api/v1/identity-providers' },
  // Also matches POST /api/v1/spaces/{id}/assignments (the space's members).
  { object: 'managed space', host: '*', route: 'POST /api/v1/spaces' },
  { object: 'app move into the space', host: '*', route: 'PUT /api/v1/apps' },
];

const matches = (e: SimRequestLogEntry, route: string) => `${e.method} ${e.path}`.toLowerCase().startsWith(route.toLowerCase());

/** Each route twice: the answer lost as a dropped connection, and as a 503 after the write was applied. */
const CASES = WRITE_ROUTES.flatMap((r) => (['reset', '503'] as const).map((as) => ({ ...r, as })));

test.each(CASES)('lost answers ($as) on $route ($object): the phase converges with exactly one object', async ({ host, route, as, rate, seed }) => {
  const sim = await start({ tenants: 2, seed: seed ?? 31 });
  const plan = simPlan(sim, [{ name: 'all', size: 2, concurrency: 2 }], { retries: { transientMs: 60_000, rateLimitedMs: 120_000 } });
  sim.clearRequestLog();
  sim.setFaults([{ host, route, lostResponseRate: rate ?? 1, lostResponseAs: as }]);
  const rolloutId = `lost-${as}-${route.replace(/[^a-z]+/gi, '-').toLowerCase()}-${Date.now().toString(36)}`;
  const result = await rig.t.client.workflow.execute(rolloutWorkflow, {
    taskQueue: rig.taskQueue, workflowId: workflowIds.rollout(rolloutId),
    args: [{ rolloutId, plan, options: { activityRetry: { initialIntervalMs: 100, maximumIntervalMs: 500 }, tenantActionTimeoutMs: 1_000 } }],
  });
  sim.setFaults([]);
  const writes = sim.requestLog().filter((e) => matches(e, route));
  const lost = writes.filter((e) => e.lost);
  process.stdout.write(`[figures] ${route} (${as}): ${writes.length} writes, ${lost.length} applied with the answer lost (${lost.filter((e) => e.lost === 'reset').length} resets, ${lost.filter((e) => e.lost === '503').length} 503s); rollout ${result.status}\n`);
  expect(lost.length).toBeGreaterThan(0);
  expect(lost.every((e) => e.lost === as)).toBe(true);
  expect(result.status).toBe('succeeded');
  expect(result.waves[0].counts.succeeded).toBe(2);
  expect(exactlyOnceProblems(sim.dump(), plan)).toEqual([]);
});
