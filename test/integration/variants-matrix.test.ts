/**
 * The tool works whichever way Qlik's undocumented behaviour goes: for every value of every simulator variant
 * (src/simulator/variants.ts, assumption ids in src/qlik/assumptions.ts) a full rollout of two tenants plus one
 * reload sync, on the real dev server, the real activities and the simulator over sockets.
 */
import { VARIANTS, type VariantKey } from '../../src/simulator/variants';
import type { Simulator } from '../../src/simulator/api';
import { rolloutWorkflow } from '../../src/workflows';
import { reloadWatcherStopSignal, siteKeyOf, syncStateQuery, syncStopUpdate, workflowIds } from '../../src/workflows/messages';
import type { TestTemporal } from '../helpers/temporal';
import { waitFor } from '../workflows/support';
import { closeSim, FAST, simPlan, startSim, useSimWorker } from './sim-rollout';

let t: TestTemporal;
let taskQueue: string;
useSimWorker((ready) => ({ t, taskQueue } = ready));

/** Every non-default value of every variant, one at a time; the defaults run in the other integration suites. */
const cases: Array<[VariantKey, string]> = (Object.keys(VARIANTS) as VariantKey[]).flatMap((key) => VARIANTS[key].values.slice(1).map((value): [VariantKey, string] => [key, value]));

test('every variant value is covered', () => {
  expect(cases.length).toBeGreaterThanOrEqual(Object.keys(VARIANTS).length);
});

/** And a site where every unknown goes the other way at once (the last value of each variant). */
const allOtherWay = Object.fromEntries((Object.keys(VARIANTS) as VariantKey[]).map((key) => [key, VARIANTS[key].values.at(-1)!]));
const everyCase: Array<[string, Record<string, string>]> = [...cases.map(([key, value]): [string, Record<string, string>] => [`${key}=${value}`, { [key]: value }]), ['all at once', allOtherWay]];

describe.each(everyCase)('variant %s', (label, variants) => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await closeSim(sim);
    sim = undefined;
  });

  test('a rollout of two tenants and one reload sync succeed', async () => {
    sim = await startSim({ tenants: 2, variants });
    const plan = simPlan(sim, [{ name: 'all', size: 2, concurrency: 2 }], { sync: { enabled: true, pollIntervalMs: 50 } });
    const rolloutId = `variant-${label.replace(/[^a-z0-9]+/g, '-')}-${Date.now().toString(36)}`;
    const handle = await t.client.workflow.start(rolloutWorkflow, { taskQueue, workflowId: workflowIds.rollout(rolloutId), args: [{ rolloutId, plan, options: FAST }] });
    const result = await handle.result();
    expect(result.status).toBe('succeeded');
    const dump = sim.dump();
    for (const tenant of plan.tenants) {
      const copies = dump.tenants[tenant.name].apps.filter((app) => app.sourceAppId);
      expect(copies).toHaveLength(plan.apps.length);
      expect(new Set(copies.map((app) => app.spaceId)).size).toBe(1);
      expect(copies[0].spaceId).not.toBeNull();
      expect(dump.site.deployments.filter((d) => d.name === tenant.name)).toHaveLength(1);
      expect(dump.tenants[tenant.name].idps.filter((idp) => idp.holdsCurrentToken)).toHaveLength(1);
    }

    const reloaded = await sim.reloadApp(plan.apps[0].name);
    const syncs = plan.tenants.map((tenant) => t.client.workflow.getHandle(workflowIds.sync(plan.source, tenant.name)));
    await waitFor(async () => Promise.all(syncs.map((h) => h.query(syncStateQuery))), (states) => states.every((s) => s.lastSynced[plan.apps[0].name] === reloaded.lastReloadTime && s.syncs >= 1 && !s.lastError), 60_000);
    await Promise.all(syncs.map((h) => h.executeUpdate(syncStopUpdate)));
    const watcher = t.client.workflow.getHandle(workflowIds.reloadWatcher(siteKeyOf(plan.source)));
    await watcher.signal(reloadWatcherStopSignal);
    await watcher.result();
  });
});
