import { startSimulator, type Simulator } from '../../src/simulator';
import { cloudClient, filter, qrsClient, setUpTenant, waitFor, waitForCloudApp, type QrsClient } from './client';

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
    // Staged: no space, no owner, marked as distributed from client-managed.
    expect(item.spaceId).toBeUndefined();
    expect(item.ownerId).toBeUndefined();
    const staged = (await cloud('GET', `/api/v1/apps/${item.resourceId}`)).body;
    expect(staged.attributes).toMatchObject({ published: true, originAppId: appId, ownerId: '' });
    expect(staged.attributes.spaceId).toBeUndefined();

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
    const copies = (await cloud('GET', '/api/v1/items?resourceType=app')).body.data;
    expect(copies.filter((i: { name: string }) => i.name === 'Sales Analytics')).toHaveLength(1);

    const qrsApp = (await qrs('GET', `/qrs/app/${appId}`)).body;
    expect(qrsApp.lastReloadTime).toBe(reload.lastReloadTime);
    expect(Date.parse(qrsApp.lastDataDistribution)).toBeGreaterThanOrEqual(Date.parse(reload.lastReloadTime));
    const state = sim.dump().tenants[tenant.name];
    expect(state.apps).toEqual([expect.objectContaining({ id: item.resourceId, sourceAppId: appId, spaceId: space.body.id, distributions: 2 })]);
    expect(state.idps[0].holdsCurrentToken).toBe(true);
  });

  it('does not distribute without a matching policy value, and records a failure while the IdP is missing', async () => {
    const tenant = sim.tenants[1];
    // Policy and deployment exist, but no IdP yet: the attempt fails and QSEoW shows why.
    const { cloud, appId, token } = await setUpTenant(qrs, tenant, { withIdp: false });
    const failure = await waitFor('a failed distribution', async () =>
      sim.dump().site.distributions.find((d) => d.deployment === tenant.name && d.status === 'failed'));
    expect(failure.message).toMatch(/no active multi-cloud identity provider/);
    const results = (await qrs('GET', `/qrs/executionresult/full?${filter(`appID eq ${appId} and status eq FinishedFail`)}`)).body;
    expect(results.some((r: { details: Array<{ message: string }> }) => r.details.some((d) => d.message.includes(tenant.name)))).toBe(true);
    expect((await cloud('GET', '/api/v1/items?resourceType=app')).body.data).toHaveLength(0);

    // Operations Overview carries no value for this tenant: it must never arrive. Creating the IdP retries Sales Analytics.
    const me = (await cloud('GET', '/api/v1/users/me')).body;
    await cloud('POST', '/api/v1/identity-providers', { provider: 'qlik', protocol: 'qsefw-local-bearer-token', interactive: false, base64Encoded: token, tenantIds: [me.tenantId] });
    await waitForCloudApp(cloud, 'Sales Analytics');
    await new Promise((r) => setTimeout(r, 150));
    const names = (await cloud('GET', '/api/v1/items?resourceType=app')).body.data.map((i: { name: string }) => i.name);
    expect(names).toEqual(['Sales Analytics']);
  });

  it('fails on a token mismatch and on a disabled policy nothing is sent', async () => {
    const tenant = sim.tenants[2];
    const cloud = cloudClient(tenant);
    const me = (await cloud('GET', '/api/v1/users/me')).body;
    await cloud('POST', '/api/v1/identity-providers', { provider: 'qlik', protocol: 'qsefw-local-bearer-token', interactive: false, base64Encoded: 'c3RhbGUtdG9rZW4=', tenantIds: [me.tenantId] });
    await setUpTenant(qrs, tenant, { withIdp: false });
    const failure = await waitFor('a token mismatch', async () => sim.dump().site.distributions.find((d) => d.deployment === tenant.name && d.status === 'failed'));
    expect(failure.message).toMatch(/different local bearer token/);
    expect(sim.dump().tenants[tenant.name].idps[0].holdsCurrentToken).toBe(false);

    const policy = (await qrs('GET', `/qrs/systemrule/full?${filter("name eq 'Distribute to deployments'")}`)).body[0];
    expect((await qrs('PUT', `/qrs/systemrule/${policy.id}`, { ...policy, disabled: true })).status).toBe(200);
    const other = sim.tenants[3];
    const before = sim.dump().site.distributions.length;
    const { cloud: otherCloud } = await setUpTenant(qrs, other);
    await new Promise((r) => setTimeout(r, 150));
    expect((await otherCloud('GET', '/api/v1/items?resourceType=app')).body.data).toHaveLength(0);
    expect(sim.dump().site.distributions.filter((d) => d.deployment === other.name)).toHaveLength(0);
    expect(sim.dump().site.distributions.length).toBe(before);
    // Re-enabling the policy sends the app (policies are re-evaluated on change).
    const current = (await qrs('GET', `/qrs/systemrule/${policy.id}`)).body;
    expect((await qrs('PUT', `/qrs/systemrule/${policy.id}`, { ...current, disabled: false })).status).toBe(200);
    await waitForCloudApp(otherCloud, 'Sales Analytics');
  });

  it('records a failed distribution while the tenant is down and recovers on the next change', async () => {
    const tenant = sim.tenants[4];
    sim.setTenantDown({ tenant: tenant.name, forMs: 300 });
    const { appId } = await setUpTenant(qrs, tenant, { withIdp: false });
    const down = await waitFor('an outage failure', async () => sim.dump().site.distributions.find((d) => d.deployment === tenant.name && d.status === 'failed'));
    expect(down.message).toMatch(/unavailable/);
    await new Promise((r) => setTimeout(r, 350));
    const deploymentId = sim.dump().site.deployments.find((d) => d.name === tenant.name)?.id;
    const token = (await qrs('GET', `/api/hds/v1/Deployments/${deploymentId}/elastictokenconfig?qcsFormat=True`)).body as string;
    const cloud = cloudClient(tenant);
    const me = (await cloud('GET', '/api/v1/users/me')).body;
    await cloud('POST', '/api/v1/identity-providers', { provider: 'qlik', protocol: 'qsefw-local-bearer-token', interactive: false, base64Encoded: token, tenantIds: [me.tenantId] });
    const item = await waitForCloudApp(cloud, 'Sales Analytics');
    expect(item.resourceAttributes.originAppId).toBe(appId);
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
