/**
 * The two QRS reads/writes that keep per-tenant work small when one app carries thousands of deployment names:
 * the table view (scalar columns without the app's value list) and selection + synthetic multi-edit (adds a value
 * without sending or receiving the app's whole value list).
 */
import { startSimulator, type Simulator } from '../../src/simulator';
import { cloudClient, filter, POLICY_RULE, qrsClient, setUpTenant, waitForCloudApp, type QrsClient } from './client';
import { qrsValidator } from './qrs-schema';

const APP_COLUMNS = [
  { name: 'id', columnType: 'Property', definition: 'id' },
  { name: 'name', columnType: 'Property', definition: 'name' },
  { name: 'stream', columnType: 'Property', definition: 'stream.name' },
  { name: 'fileSize', columnType: 'Property', definition: 'fileSize' },
];

describe('QRS table view and synthetic multi-edit', () => {
  let sim: Simulator;
  let qrs: QrsClient;
  const validate = qrsValidator();

  beforeAll(async () => {
    sim = await startSimulator({ tenants: 3, seed: 11, distributionDelayMs: 20 });
    qrs = qrsClient(sim);
  });
  afterAll(() => sim.stop());

  const appNamed = async (name: string) => (await qrs('GET', `/qrs/app/full?${filter(`name eq '${name}'`)}`)).body[0];
  const valuesOn = (name: string) => sim.dump().site.apps.find((a) => a.name === name)!.customProperties.Deployments ?? [];
  /** A selection of these apps; answers the path of its synthetic object. */
  const selectionOf = async (...appIds: string[]) => {
    const created = await qrs('POST', '/qrs/selection', { items: appIds.map((objectID) => ({ type: 'App', objectID })) });
    expect(created.status).toBe(201);
    return `/qrs/selection/${created.body.id}/app/synthetic`;
  };
  /** Reads the synthetic object, then changes `@Deployments` on every selected app. */
  const changeValues = async (path: string, change: { added?: string[]; removed?: string[] }) => {
    const { latestModifiedDate } = (await qrs('GET', path)).body;
    const value = { added: change.added ?? [], removed: change.removed ?? [] };
    return qrs('PUT', path, { type: 'App', latestModifiedDate, properties: [{ name: '@Deployments', value, valueIsModified: true, valueIsDifferent: false }] });
  };
  const deploymentsProperty = async (path: string) => (await qrs('GET', path)).body.properties.find((p: { name: string }) => p.name === '@Deployments');

  it('POST /qrs/app/table answers the asked columns as rows, filtered, sorted and paged', async () => {
    const all = (await qrs('GET', '/qrs/app/full')).body as Array<{ id: string; name: string; fileSize: number; stream: { name: string } | null }>;
    const table = await qrs('POST', '/qrs/app/table', { entity: 'App', columns: APP_COLUMNS });
    expect(table.status).toBe(201);
    expect(table.body.columnNames).toEqual(['id', 'name', 'stream', 'fileSize']);
    expect(table.body.rows).toHaveLength(all.length);
    for (const app of all) expect(table.body.rows).toContainEqual([app.id, app.name, app.stream?.name ?? null, app.fileSize]);

    const one = await qrs('POST', `/qrs/app/table?${filter("name eq 'Sales Analytics'")}`, { entity: 'App', columns: APP_COLUMNS });
    expect(one.body.rows.map((row: unknown[]) => row[1])).toEqual(['Sales Analytics']);

    const sorted = await qrs('POST', '/qrs/app/table?sortColumn=name&orderAscending=false&skip=1&take=2', { entity: 'App', columns: APP_COLUMNS });
    const names = all.map((a) => a.name).sort((a, b) => b.localeCompare(a));
    expect(sorted.body.rows.map((row: unknown[]) => row[1])).toEqual(names.slice(1, 3));
  });

  it('the table view refuses list columns, other column types and a wrong entity with 400', async () => {
    const bad = async (body: unknown, query = '') => qrs('POST', `/qrs/app/table${query}`, body);
    expect((await bad({ entity: 'App', columns: [{ name: 'cp', columnType: 'Property', definition: 'customProperties.value' }] })).status).toBe(400);
    expect((await bad({ entity: 'App', columns: [{ name: 'x', columnType: 'List', definition: 'tags' }] })).status).toBe(400);
    expect((await bad({ entity: 'Stream', columns: APP_COLUMNS })).status).toBe(400);
    expect((await bad({ entity: 'App', columns: [] })).status).toBe(400);
    expect((await bad({ entity: 'App', columns: APP_COLUMNS }, '?sortColumn=nope')).status).toBe(400);
  });

  it('the table view serves every readable type, takes the QMC\'s lower-case parameters, and filters on values it does not show', async () => {
    const streams = (await qrs('GET', '/qrs/stream/full')).body as Array<{ id: string; name: string }>;
    const columns = [
      { name: 'id', columnType: 'Property', definition: 'id' },
      { name: 'name', columnType: 'Property', definition: 'name' },
      { name: 'missing', columnType: 'Property', definition: 'owner.noSuchField' },
    ];
    const table = await qrs('POST', '/qrs/stream/table?sortcolumn=NAME&orderascending=False', { entity: 'Stream', columns });
    expect(table.status).toBe(201);
    expect(table.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const expected = streams.map((s) => [s.id, s.name, null]).sort((a, b) => String(b[1]).localeCompare(String(a[1])));
    expect(table.body.rows).toEqual(expected);
    expect((await qrs('POST', '/qrs/stream/table?take=-1', { entity: 'Stream', columns })).status).toBe(400);

    const [huge, draft] = [await appNamed('Huge Warehouse'), await appNamed('Draft Budget')];
    expect((await changeValues(await selectionOf(huge.id, draft.id), { added: ['table-filter-value'] })).status).toBe(204);
    const carrying = await qrs('POST', `/qrs/app/table?${filter("customProperties.value eq 'table-filter-value'")}&sortColumn=name`, { entity: 'App', columns: APP_COLUMNS });
    expect(carrying.body.rows.map((row: unknown[]) => row[0])).toEqual([draft.id, huge.id]);
    // The count filter the worker sends per tenant: the value and the property it belongs to.
    const count = async (value: string) => (await qrs('GET', `/qrs/app/count?${filter(`(id eq ${huge.id} or id eq ${draft.id}) and customProperties.definition.name eq 'Deployments' and customProperties.value eq '${value}'`)}`)).body;
    expect(await count('table-filter-value')).toEqual({ value: 2 });
    expect(await count('no-such-value')).toEqual({ value: 0 });
  });

  it('a selection of several apps shows the union of their values, marks differences, and removes values', async () => {
    const [huge, draft] = [await appNamed('Huge Warehouse'), await appNamed('Draft Budget')];
    const both = await selectionOf(huge.id, draft.id);
    expect((await changeValues(both, { added: ['alpha'] })).status).toBe(204);
    expect((await changeValues(await selectionOf(huge.id), { added: ['beta'] })).status).toBe(204);

    const synthetic = (await qrs('GET', both)).body;
    const newest = [(await qrs('GET', `/qrs/app/${huge.id}`)).body.modifiedDate, (await qrs('GET', `/qrs/app/${draft.id}`)).body.modifiedDate].sort().at(-1);
    expect(synthetic).toMatchObject({ type: 'App', latestModifiedDate: newest, children: [] });
    expect(synthetic.properties.find((p: { name: string }) => p.name === 'name')).toMatchObject({ valueIsDifferent: true, valueIsModified: false, schemaPath: 'App.Name' });
    const property = await deploymentsProperty(both);
    expect(property).toMatchObject({ valueIsDifferent: true, valueIsModified: false, schemaPath: 'App.CustomProperties' });
    expect([...property.value].sort()).toEqual(expect.arrayContaining(['alpha', 'beta']));

    // The documented optional filter narrows the selection, for reads and writes alike.
    const hugeOnly = `${both}?${filter("name eq 'Huge Warehouse'")}`;
    expect(await deploymentsProperty(hugeOnly)).toMatchObject({ valueIsDifferent: false });
    expect((await changeValues(hugeOnly, { added: ['gamma'] })).status).toBe(204);
    expect(valuesOn('Huge Warehouse')).toContain('gamma');
    expect(valuesOn('Draft Budget')).not.toContain('gamma');
    expect((await qrs('GET', `${both}?${filter('name eq')}`)).status).toBe(400);

    expect((await changeValues(both, { removed: ['beta', 'gamma', 'table-filter-value'] })).status).toBe(204);
    expect(await deploymentsProperty(both)).toMatchObject({ value: ['alpha'], valueIsDifferent: false });
    expect(valuesOn('Huge Warehouse')).toEqual(['alpha']);
    expect(valuesOn('Draft Budget')).toEqual(['alpha']);
    for (const app of [huge, draft]) expect(validate('App', (await qrs('GET', `/qrs/app/${app.id}`)).body)).toEqual([]);

    // Same guard as every QRS route, and a date that is not one is a bad request, not a conflict.
    expect((await qrs('GET', both, undefined, { xrf: null, headerXrf: null })).status).toBe(400);
    const notADate = await qrs('PUT', both, { type: 'App', latestModifiedDate: 'yesterday', properties: [{ name: '@Deployments', value: { added: ['x'], removed: [] }, valueIsModified: true }] });
    expect(notADate.status).toBe(400);
    expect(notADate.body).toMatch(/latestModifiedDate/);
    expect(valuesOn('Draft Budget')).toEqual(['alpha']);
  });

  it('a selection reads and adds custom property values; adding twice keeps one; a stale date is a 409', async () => {
    const app = await appNamed('Operations Overview');
    const tenant = sim.tenants[0].name;
    const def = (await qrs('GET', `/qrs/custompropertydefinition/full?${filter("name eq 'Deployments'")}`)).body[0];
    def.choiceValues.push(tenant);
    expect((await qrs('PUT', `/qrs/custompropertydefinition/${def.id}`, def)).status).toBe(200);

    const selection = await qrs('POST', '/qrs/selection', { items: [{ type: 'App', objectID: app.id }] });
    expect(selection.status).toBe(201);
    expect(selection.body.items).toEqual([expect.objectContaining({ type: 'App', objectID: app.id })]);
    const path = `/qrs/selection/${selection.body.id}/app/synthetic`;
    const before = await qrs('GET', path);
    expect(before.status).toBe(200);
    expect(before.body.latestModifiedDate).toBe(app.modifiedDate);
    const property = before.body.properties.find((p: { name: string }) => p.name === '@Deployments');
    expect(property).toMatchObject({ value: valuesOn('Operations Overview'), valueIsDifferent: false });

    const add = (latestModifiedDate: string) => qrs('PUT', path, {
      type: 'App', latestModifiedDate, properties: [{ name: '@Deployments', value: { added: [tenant], removed: [] }, valueIsModified: true, valueIsDifferent: false }],
    });
    expect((await add(before.body.latestModifiedDate)).status).toBe(204);
    expect(valuesOn('Operations Overview')).toEqual([tenant]);
    const stale = await add(before.body.latestModifiedDate);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatch(/latestModifiedDate/);
    const after = await qrs('GET', path);
    expect(after.body.latestModifiedDate > before.body.latestModifiedDate).toBe(true);
    expect((await add(after.body.latestModifiedDate)).status).toBe(204);
    expect(valuesOn('Operations Overview')).toEqual([tenant]);
    // The full entity is unchanged in shape: it still validates against Qlik's swagger.
    expect(validate('App', (await qrs('GET', `/qrs/app/${app.id}`)).body)).toEqual([]);

    expect((await qrs('DELETE', `/qrs/selection/${selection.body.id}`)).status).toBe(204);
    expect((await qrs('GET', path)).status).toBe(404);
    expect((await qrs('DELETE', `/qrs/selection/${selection.body.id}`)).status).toBe(404);
  });

  it('bad selections and updates answer 400/404 and change nothing', async () => {
    expect((await qrs('POST', '/qrs/selection', { items: [{ type: 'App', objectID: '00000000-0000-0000-0000-00000000abcd' }] })).status).toBe(404);
    expect((await qrs('POST', '/qrs/selection', { items: [] })).status).toBe(400);
    const app = await appNamed('Sales Analytics');
    const selection = (await qrs('POST', '/qrs/selection', { items: [{ type: 'App', objectID: app.id }] })).body;
    const path = `/qrs/selection/${selection.id}/app/synthetic`;
    const { latestModifiedDate } = (await qrs('GET', path)).body;
    const put = (properties: unknown[]) => qrs('PUT', path, { type: 'App', latestModifiedDate, properties });
    const before = valuesOn('Sales Analytics');
    expect((await put([{ name: '@NoSuchProperty', value: { added: ['x'], removed: [] }, valueIsModified: true }])).status).toBe(400);
    expect((await put([{ name: '@Deployments', value: ['not', 'a', 'change'], valueIsModified: true }])).status).toBe(400);
    expect((await put([{ name: 'name', value: 'Renamed', valueIsModified: true }])).status).toBe(400);
    expect((await put([{ name: '@Deployments', value: { added: ['ignored'], removed: [] }, valueIsModified: false }])).status).toBe(204);
    expect(valuesOn('Sales Analytics')).toEqual(before);
    expect((await qrs('PUT', '/qrs/selection/00000000-0000-0000-0000-00000000abcd/app/synthetic', { type: 'App', latestModifiedDate, properties: [] })).status).toBe(404);
  });

  it('a value added by multi-edit distributes the app to that deployment, as an app PUT does', async () => {
    const tenant = sim.tenants[1];
    // Everything but the app value (policy, deployment, IdP), which then comes through the synthetic PUT.
    const other = await setUpTenant(qrs, sim.tenants[2]);
    await waitForCloudApp(other.cloud, 'Sales Analytics');
    const def = (await qrs('GET', `/qrs/custompropertydefinition/full?${filter("name eq 'Deployments'")}`)).body[0];
    def.choiceValues.push(tenant.name);
    expect((await qrs('PUT', `/qrs/custompropertydefinition/${def.id}`, def)).status).toBe(200);
    const deployment = await qrs('POST', '/api/hds/v1/Deployments', { name: tenant.name, audience: 'qlik.api', serviceUrl: tenant.url, localBearerToken: true });
    const token = (await qrs('GET', `/api/hds/v1/Deployments/${deployment.body.id}/elastictokenconfig?qcsFormat=True`)).body as string;
    const cloud = cloudClient(tenant);
    const me = await cloud('GET', '/api/v1/users/me');
    await cloud('POST', '/api/v1/identity-providers', { provider: 'qlik', protocol: 'qsefw-local-bearer-token', interactive: false, base64Encoded: token, tenantIds: [me.body.tenantId] });
    expect((await cloud('GET', '/api/v1/items?resourceType=app&name=Sales%20Analytics')).body.data).toEqual([]);

    const app = await appNamed('Sales Analytics');
    const selection = (await qrs('POST', '/qrs/selection', { items: [{ type: 'App', objectID: app.id }] })).body;
    const path = `/qrs/selection/${selection.id}/app/synthetic`;
    const { latestModifiedDate } = (await qrs('GET', path)).body;
    const put = await qrs('PUT', path, { type: 'App', latestModifiedDate, properties: [{ name: '@Deployments', value: { added: [tenant.name], removed: [] }, valueIsModified: true }] });
    expect(put.status).toBe(204);
    expect(await waitForCloudApp(cloud, 'Sales Analytics')).toMatchObject({ name: 'Sales Analytics' });
  });

  it('10,000 deployments on one app: seeding, counts, table rows, synthetic reads and a distribution run stay near linear', async () => {
    const big = await startSimulator({ tenants: 1, seed: 12, distributionDelayMs: 20 });
    const timed = async <T>(what: string, run: () => Promise<T>) => {
      const started = process.hrtime.bigint();
      const result = await run();
      process.stdout.write(`10,000 deployments: ${what} in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms\n`);
      return result;
    };
    try {
      const client = qrsClient(big);
      const app = (await client('GET', `/qrs/app/full?${filter("name eq 'Operations Overview'")}`)).body[0];
      const selection = (await client('POST', '/qrs/selection', { items: [{ type: 'App', objectID: app.id }] })).body;
      const path = `/qrs/selection/${selection.id}/app/synthetic`;
      const add = async (added: string[]) => {
        const { latestModifiedDate } = (await client('GET', path)).body;
        return client('PUT', path, { type: 'App', latestModifiedDate, properties: [{ name: '@Deployments', value: { added, removed: [] }, valueIsModified: true }] });
      };
      const names = Array.from({ length: 10_000 }, (_, i) => `customer-${String(i).padStart(5, '0')}`);
      await timed('seeding the values (10 synthetic PUTs of 1,000)', async () => {
        for (let i = 0; i < names.length; i += 1_000) expect((await add(names.slice(i, i + 1_000))).status).toBe(204);
      });
      const full = await timed('full app read (choice list still empty)', () => client('GET', `/qrs/app/${app.id}`));
      expect(full.body.customProperties).toHaveLength(10_000);
      expect(validate('App', full.body)).toEqual([]);

      // The OEM pattern also lists every deployment name as a choice value, which the full app repeats per value.
      const def = (await client('GET', `/qrs/custompropertydefinition/full?${filter("name eq 'Deployments'")}`)).body[0];
      expect((await client('PUT', `/qrs/custompropertydefinition/${def.id}`, { ...def, choiceValues: names })).status).toBe(200);
      const countOf = (value: string) => client('GET', `/qrs/app/count?${filter(`id eq ${app.id} and customProperties.definition.name eq 'Deployments' and customProperties.value eq '${value}'`)}`);
      expect((await timed('count by value (first after a definition change)', () => countOf('customer-09999'))).body).toEqual({ value: 1 });
      expect((await timed('count by value (app unchanged)', () => countOf('customer-00000'))).body).toEqual({ value: 1 });
      expect((await countOf('customer-10000')).body).toEqual({ value: 0 });
      const byName = await timed('condensed list by name', () => client('GET', `/qrs/app?${filter("name eq 'Operations Overview'")}`));
      expect(byName.body.map((a: { id: string }) => a.id)).toEqual([app.id]);
      const table = await timed('table row', () => client('POST', `/qrs/app/table?${filter(`id eq ${app.id}`)}`, { entity: 'App', columns: APP_COLUMNS }));
      expect(table.body.rows).toEqual([[app.id, 'Operations Overview', 'Customers', app.fileSize]]);
      const synthetic = await timed('synthetic read', () => client('GET', path));
      expect(synthetic.body.properties.find((p: { name: string }) => p.name === '@Deployments').value).toHaveLength(10_000);
      expect(JSON.stringify(synthetic.body).length).toBeLessThan(200_000);
      expect((await timed('one more value (synthetic PUT)', () => add(['customer-10000']))).status).toBe(204);
      expect((await timed('the same value again (no-op)', () => add(['customer-10000']))).status).toBe(204);
      expect(big.dump().site.apps.find((a) => a.id === app.id)!.customProperties.Deployments).toHaveLength(10_001);

      // Distribution: a deployment per value plus one the app does not name; the policy evaluates every pair once.
      await timed('10,001 deployments registered', async () => {
        for (let i = 0; i <= names.length; i += 200) {
          const batch = [...names, 'not-on-the-app'].slice(i, i + 200);
          const created = await Promise.all(batch.map((name) => client('POST', '/api/hds/v1/Deployments', { name, audience: 'qlik.api', serviceUrl: `https://${name}.example.invalid`, localBearerToken: true })));
          expect(created.map((c) => c.status)).toEqual(batch.map(() => 201));
        }
      });
      const results = async () => (await client('GET', `/qrs/executionresult/count?${filter(`appID eq ${app.id}`)}`)).body.value as number;
      const before = await results();
      const policy = await client('POST', '/qrs/systemrule', {
        name: 'Distribute to deployments', category: 'Security', type: 'Custom', rule: POLICY_RULE, resourceFilter: 'App_*', actions: 1024, ruleContext: 0, disabled: false,
      });
      expect(policy.status).toBe(201);
      // A new policy is not a documented trigger (assumption A9); the next change of the published app is.
      expect((await results()) - before).toBe(0);
      expect((await timed('a change of the app under the policy (queues one distribution per named deployment)', () => add(['customer-10001']))).status).toBe(204);
      // customer-10000 and -10001 have no deployment, not-on-the-app is not on the app: exactly the 10,000 others are queued.
      expect((await results()) - before).toBe(10_000);
    } finally {
      await big.stop();
    }
  }, 60_000);
});

describe("synthetic multi-edit keyed by definition id (variant multiedit-key=id, assumption A2)", () => {
  let sim: Simulator;
  let qrs: QrsClient;
  beforeAll(async () => {
    sim = await startSimulator({ tenants: 1, seed: 11, distributionDelayMs: 20, variants: { 'multiedit-key': 'id' } });
    qrs = qrsClient(sim);
  });
  afterAll(() => sim.stop());

  it('lists the property as @<definition id> and takes only that name', async () => {
    const def = (await qrs('GET', `/qrs/custompropertydefinition/full?${filter("name eq 'Deployments'")}`)).body[0];
    const app = (await qrs('GET', `/qrs/app/full?${filter("name eq 'Sales Analytics'")}`)).body[0];
    const selection = (await qrs('POST', '/qrs/selection', { items: [{ type: 'App', objectID: app.id }] })).body;
    const path = `/qrs/selection/${selection.id}/app/synthetic`;
    const synthetic = (await qrs('GET', path)).body;
    const names = synthetic.properties.map((p: { name: string }) => p.name);
    expect(names).toContain(`@${def.id}`);
    expect(names).not.toContain('@Deployments');
    const put = (name: string) => qrs('PUT', path, { type: 'App', latestModifiedDate: synthetic.latestModifiedDate, properties: [{ name, value: { added: ['by-id'], removed: [] }, valueIsModified: true, valueIsDifferent: false }] });
    expect((await put('@Deployments')).status).toBe(400);
    expect((await put(`@${def.id}`)).status).toBe(204);
    expect(sim.dump().site.apps.find((a) => a.name === 'Sales Analytics')!.customProperties.Deployments).toContain('by-id');
  });
});
