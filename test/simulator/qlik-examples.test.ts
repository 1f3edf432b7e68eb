/**
 * Qlik's own published examples, replayed over raw HTTP against the simulator after a real distribution made by
 * the tool's phases. The simulator's contract is Qlik's: if Qlik's example selects nothing here, the simulator is wrong.
 */
import { closeAllPools } from '../../src/qlik/pools';
import type { Simulator } from '../../src/simulator/api';
import { activities, phaseContext, runActivity, startTestSimulator } from '../activities/sim-context';
import { cloudClient, waitFor, type CloudClient } from './client';

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 2 });
});
afterAll(async () => {
  await closeAllPools();
  await sim.stop();
});

interface ExampleItem {
  resourceId: string;
  name: string;
  resourceAttributes: { spaceId?: string; published?: boolean; originAppId?: string };
}

/**
 * "Auto publish apps distributed from Qlik Sense Enterprise Client-Managed" (qlik.dev/examples/manage-examples/
 * move-distributed-apps): a Raw API List Request on `items` with resourceType=app, shared=false, noActions=true
 * (every page), a condition "spaceId is empty, published is true, originAppId is empty", then "Move App To Space".
 */
async function moveDistributedAppsExample(cloud: CloudClient, targetSpaceId: string): Promise<{ selected: ExampleItem[]; moved: number[] }> {
  const listed: ExampleItem[] = [];
  let next: string | undefined = '/api/v1/items?resourceType=app&shared=false&noActions=true';
  while (next) {
    const page = await cloud('GET', next);
    expect(page.status).toBe(200);
    listed.push(...page.body.data);
    const href: string | undefined = page.body.links?.next?.href;
    next = href ? new URL(href).pathname + new URL(href).search : undefined;
  }
  const isEmpty = (value: unknown) => value === undefined || value === null || value === '';
  const selected = listed.filter((item) => isEmpty(item.resourceAttributes.spaceId) && item.resourceAttributes.published === true && isEmpty(item.resourceAttributes.originAppId));
  const moved: number[] = [];
  for (const item of selected) moved.push((await cloud('PUT', `/api/v1/apps/${item.resourceId}/space`, { spaceId: targetSpaceId })).status);
  return { selected, moved };
}

test("Qlik's move-distributed-apps example selects and moves the copies a real distribution staged", async () => {
  const tenant = sim.tenants[0];
  const ctx = phaseContext(sim, tenant);
  // Phases 3, 4 and 1 in Qlik's documented order; the value added by phase 1 starts the distribution.
  await runActivity(activities.ensureDeployment, ctx);
  await runActivity(activities.ensureIdp, ctx);
  await runActivity(activities.ensurePolicy, ctx);
  const cloud = cloudClient(tenant);
  await waitFor('both plan apps to be distributed', async () => {
    const apps = sim.dump().tenants[tenant.name].apps;
    return apps.length === 2 ? apps : undefined;
  });
  // An app made in the cloud and published to a managed space is not a distributed copy: the example must skip it.
  const space = await cloud('POST', '/api/v1/spaces', { name: 'Customer apps', type: 'managed' });
  expect(space.status).toBe(201);
  sim.plantCloudApp(tenant.name, { name: 'Own cloud app', distributed: false, originAppId: '11111111-2222-3333-4444-555555555555' });

  const first = await moveDistributedAppsExample(cloud, space.body.id);
  expect(first.selected.map((item) => item.name).sort()).toEqual(['Operations Overview', 'Sales Analytics']);
  expect(first.moved).toEqual([200, 200]);
  const state = sim.dump().tenants[tenant.name];
  expect(state.apps.filter((app) => app.sourceAppId).every((app) => app.spaceId === space.body.id)).toBe(true);

  // Run again: nothing is staged any more, so the example selects nothing.
  expect((await moveDistributedAppsExample(cloud, space.body.id)).selected).toEqual([]);

  // And the tool's phase 5 agrees: it finds the copies the example moved and takes them into its own managed space.
  const published = await runActivity(activities.firstPublish, ctx);
  expect(published.apps.map((app) => app.cloudAppId).sort()).toEqual(state.apps.filter((app) => app.sourceAppId).map((app) => app.id).sort());
});
