import { startSimulator, type Simulator } from '../../src/simulator';
import { cloudClient, createMultiCloudIdp, filter, qrsClient, setUpTenant, touchApp, waitFor, waitForCloudApp, type QrsClient } from './client';

describe('distribution engine', () => {
  let sim: Simulator;
  let qrs: QrsClient;

  beforeAll(async () => {
    sim = await startSimulator({ tenants: 6, seed: 11, distributionDelayMs: 30 });
    qrs = qrsClient(sim);
  });
  afterAll(() => sim.stop());

  it('stages the app on first distribution, keeps id and space on redistribution after a reload', async () => {
    const tenant = sim.tenants[0];
    const { cloud, appId } = await setUpTenant(qrs, tenant);
    const item = await waitForCloudApp(cloud, 'Sales Analytics');
    // Staged with the markers Qlik's move-distributed-apps example selects on: no space, published, no originAppId.
    expect(item.spaceId).toBeUndefined();
    expect(item.ownerId).toBeUndefined();
    expect(item.resourceAttributes).toMatchObject({ published: true, originAppId: '' });
    const staged = (await cloud('GET', `/api/v1/apps/${item.resourceId}`)).body;
    expect(staged.attributes).toMatchObject({ published: true, originAppId: '', ownerId: '' });
    expect(staged.attributes.spaceId).toBeUndefined();
    // Assumption A5 (default variant copy-id=new): the copy has an id of its own.
    expect(item.resourceId).not.toBe(appId);

    const space = await cloud('POST', '/api/v1/spaces', { name: `${tenant.name} Analytics`, type: 'managed' });
    expect(space.status).toBe(201);
    const moved = await cloud('PUT', `/api/v1/apps/${item.resourceId}/space`, { spaceId: space.body.id });
    expect(moved.status).toBe(200);
    expect(moved.body.attributes.spaceId).toBe(space.body.id);

    const reload = await sim.reloadApp('Sales Analytics');
    expect(reload.appId).toBe(appId);
    const updated = await waitFor('the redistributed copy', async () => {
      const a = (await cloud('GET', `/api/v1/apps/${item.resourceId}`)).body.attributes;
      return a.lastReloadTime === reload.lastReloadTime ? a : undefined;
    });
    expect(updated.id).toBe(item.resourceId);
    expect(updated.spaceId).toBe(space.body.id);
    const copies = (await cloud('GET', '/api/v1/items?resourceType=app&noActions=true')).body.data;
    expect(copies.filter((i: { name: string }) => i.name === 'Sales Analytics')).toHaveLength(1);

    const qrsApp = (await qrs('GET', `/qrs/app/${appId}`)).body;
    expect(qrsApp.lastReloadTime).toBe(reload.lastReloadTime);
    expect(Date.parse(qrsApp.lastDataDistribution)).toBeGreaterThanOrEqual(Date.parse(reload.lastReloadTime));
    const state = sim.dump().tenants[tenant.name];
    expect(state.apps).toEqual([expect.objectContaining({ id: item.resourceId, sourceAppId: appId, spaceId: space.body.id, distributions: 2 })]);
    expect(state.idps[0].holdsCurrentToken).toBe(true);
  });

  it('sends only on documented triggers: a missing IdP fails the delivery, creating it sends nothing, a change of the app does', async () => {
    const tenant = sim.tenants[1];
    const { cloud, appId, token } = await setUpTenant(qrs, tenant, { withIdp: false });
    const failure = await waitFor('a failed distribution', async () =>
      sim.dump().site.distributions.find((d) => d.deployment === tenant.name && d.status === 'failed'));
    expect(failure.message).toMatch(/no active multi-cloud identity provider/);
    // Assumption A8 (default variant): the failure shows as an execution result naming the deployment.
    const results = (await qrs('GET', `/qrs/executionresult/full?${filter(`appID eq ${appId} and status eq FinishedFail`)}`)).body;
    expect(results.some((r: { details: Array<{ message: string }> }) => r.details.some((d) => d.message.includes(tenant.name)))).toBe(true);
    expect((await cloud('GET', '/api/v1/items?resourceType=app&noActions=true')).body.data).toHaveLength(0);

    // Creating the IdP is not a trigger (assumption A9, default): nothing arrives.
    await createMultiCloudIdp(cloud, token);
    await new Promise((r) => setTimeout(r, 200));
    expect((await cloud('GET', '/api/v1/items?resourceType=app&noActions=true')).body.data).toHaveLength(0);
    // A change of the published app is (doc HLP-POL-INTRO23); Operations Overview carries no value for this tenant.
    await touchApp(qrs, appId);
    await waitForCloudApp(cloud, 'Sales Analytics');
    await new Promise((r) => setTimeout(r, 150));
    const names = (await cloud('GET', '/api/v1/items?resourceType=app&noActions=true')).body.data.map((i: { name: string }) => i.name);
    expect(names).toEqual(['Sales Analytics']);
  });

  it('fails on a token mismatch; a disabled policy sends nothing, and re-enabling it sends nothing until the app changes', async () => {
    const tenant = sim.tenants[2];
    const cloud = cloudClient(tenant);
    await createMultiCloudIdp(cloud, 'c3RhbGUtdG9rZW4=');
    await setUpTenant(qrs, tenant, { withIdp: false });
    const failure = await waitFor('a token mismatch', async () => sim.dump().site.distributions.find((d) => d.deployment === tenant.name && d.status === 'failed'));
    expect(failure.message).toMatch(/different local bearer token/);
    expect(sim.dump().tenants[tenant.name].idps[0].holdsCurrentToken).toBe(false);

    const policy = (await qrs('GET', `/qrs/systemrule/full?${filter("name eq 'Distribute to deployments'")}`)).body[0];
    expect((await qrs('PUT', `/qrs/systemrule/${policy.id}`, { ...policy, disabled: true })).status).toBe(200);
    const other = sim.tenants[3];
    const before = sim.dump().site.distributions.length;
    const { cloud: otherCloud, appId } = await setUpTenant(qrs, other);
    await new Promise((r) => setTimeout(r, 150));
    expect((await otherCloud('GET', '/api/v1/items?resourceType=app&noActions=true')).body.data).toHaveLength(0);
    expect(sim.dump().site.distributions.filter((d) => d.deployment === other.name)).toHaveLength(0);
    expect(sim.dump().site.distributions.length).toBe(before);
    const current = (await qrs('GET', `/qrs/systemrule/${policy.id}`)).body;
    expect((await qrs('PUT', `/qrs/systemrule/${policy.id}`, { ...current, disabled: false })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 150));
    expect(sim.dump().site.distributions.filter((d) => d.deployment === other.name)).toHaveLength(0);
    await touchApp(qrs, appId);
    await waitForCloudApp(otherCloud, 'Sales Analytics');
  });

  it('records a failed distribution while the tenant is down; nothing retries it until the app changes again', async () => {
    const tenant = sim.tenants[4];
    // Deliveries to the tenant fail (the tenant's API answers 503 to the distribution service) until the rule goes.
    sim.setFaults([{ host: tenant.name, route: 'DISTRIBUTE', errorRate: 1 }]);
    const { cloud, appId } = await setUpTenant(qrs, tenant);
    const down = await waitFor('an outage failure', async () => sim.dump().site.distributions.find((d) => d.deployment === tenant.name && d.status === 'failed'));
    expect(down.message).toMatch(/unavailable/);
    sim.setFaults([]);
    await new Promise((r) => setTimeout(r, 400));
    // Assumption A11 (default variant retry-failed=no): the service does not try again by itself.
    expect((await cloud('GET', '/api/v1/items?resourceType=app&noActions=true')).body.data).toHaveLength(0);
    await touchApp(qrs, appId);
    const item = await waitForCloudApp(cloud, 'Sales Analytics');
    expect(item.resourceAttributes.originAppId).toBe('');
  });

  it('runs reload tasks: session while running, 404 once finished, FinishedFail for a broken script', async () => {
    const finance = (await qrs('GET', `/qrs/app/full?${filter("name eq 'Failed Finance'")}`)).body[0];
    const task = (await qrs('GET', `/qrs/reloadtask/full?${filter(`app.id eq ${finance.id}`)}`)).body[0];
    expect(task.operational.lastExecutionResult.status).toBe(8);
    const started = await qrs('POST', `/qrs/task/${task.id}/start/synchronous`);
    expect(started.status).toBe(201);
    const session = await qrs('GET', `/qrs/executionsession/${started.body.value}`);
    expect(session.status).toBe(200);
    await waitFor('the session to end', async () => ((await qrs('GET', `/qrs/executionsession/${started.body.value}`)).status === 404 ? true : undefined));
    const results = (await qrs('GET', `/qrs/executionresult/full?${filter(`executionID eq ${started.body.value}`)}`)).body;
    expect(results).toHaveLength(1);
    expect(results[0].status).toBe(8);
    expect((await qrs('GET', `/qrs/app/${finance.id}`)).body.lastReloadTime).toBe(finance.lastReloadTime);
  });
});

/** The undocumented behaviours, each variant value played (src/simulator/variants.ts). */
describe('distribution engine variants', () => {
  const started: Simulator[] = [];
  const withVariants = async (variants: Record<string, string>) => {
    const sim = await startSimulator({ tenants: 2, seed: 12, distributionDelayMs: 30, variants });
    started.push(sim);
    return { sim, qrs: qrsClient(sim) };
  };
  afterAll(() => Promise.all(started.map((sim) => sim.stop())));

  it('copy-id=same keeps the QSEoW app id; cloud-reload-time=earlier-ms reports a reload time up to 900 ms early', async () => {
    const { sim, qrs } = await withVariants({ 'copy-id': 'same', 'cloud-reload-time': 'earlier-ms' });
    const { cloud, appId } = await setUpTenant(qrs, sim.tenants[0]);
    const item = await waitForCloudApp(cloud, 'Sales Analytics');
    expect(item.resourceId).toBe(appId);
    const qrsTime = Date.parse((await qrs('GET', `/qrs/app/${appId}`)).body.lastReloadTime);
    const cloudTime = Date.parse(item.resourceAttributes.lastReloadTime);
    expect(qrsTime - cloudTime).toBeGreaterThan(0);
    expect(qrsTime - cloudTime).toBeLessThanOrEqual(900);
  });

  it('items-staged=noactions-only hides staged apps from a listing without noActions; always shows them', async () => {
    for (const value of ['noactions-only', 'always']) {
      const { sim, qrs } = await withVariants({ 'items-staged': value });
      const { cloud } = await setUpTenant(qrs, sim.tenants[0]);
      await waitForCloudApp(cloud, 'Sales Analytics');
      const plain = (await cloud('GET', '/api/v1/items?resourceType=app')).body.data;
      expect(plain).toHaveLength(value === 'always' ? 1 : 0);
    }
  });

  it('trigger-on-setup=yes: creating the IdP re-sends a failed pair; retry-failed=yes: the service retries by itself', async () => {
    const setup = await withVariants({ 'trigger-on-setup': 'yes' });
    const { cloud, token } = await setUpTenant(setup.qrs, setup.sim.tenants[0], { withIdp: false });
    await waitFor('a failed distribution', async () => setup.sim.dump().site.distributions.find((d) => d.status === 'failed'));
    await createMultiCloudIdp(cloud, token);
    await waitForCloudApp(cloud, 'Sales Analytics');

    const retry = await withVariants({ 'retry-failed': 'yes' });
    retry.sim.setFaults([{ host: retry.sim.tenants[0].name, route: 'DISTRIBUTE', errorRate: 1 }]);
    const { cloud: retried } = await setUpTenant(retry.qrs, retry.sim.tenants[0]);
    await waitFor('a failed distribution', async () => retry.sim.dump().site.distributions.find((d) => d.status === 'failed'));
    retry.sim.setFaults([]);
    await waitForCloudApp(retried, 'Sales Analytics');
    expect(retry.sim.dump().site.distributions.map((d) => d.status)).toEqual(['failed', 'succeeded']);
  });

  it('touch-triggers=no: a PUT that changes nothing starts no distribution; failure-records=none leaves no execution result', async () => {
    const { sim, qrs } = await withVariants({ 'touch-triggers': 'no', 'failure-records': 'none' });
    sim.setFaults([{ host: sim.tenants[0].name, route: 'DISTRIBUTE', errorRate: 1 }]);
    const { cloud, appId } = await setUpTenant(qrs, sim.tenants[0]);
    await waitFor('a failed distribution', async () => sim.dump().site.distributions.find((d) => d.status === 'failed'));
    sim.setFaults([]);
    const results = (await qrs('GET', `/qrs/executionresult/full?${filter(`appID eq ${appId} and status eq FinishedFail`)}`)).body;
    expect(results).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 150));
    await touchApp(qrs, appId);
    await new Promise((r) => setTimeout(r, 200));
    expect((await cloud('GET', '/api/v1/items?resourceType=app&noActions=true')).body.data).toHaveLength(0);
    await sim.reloadApp('Sales Analytics');
    await waitForCloudApp(cloud, 'Sales Analytics');
  });
});
