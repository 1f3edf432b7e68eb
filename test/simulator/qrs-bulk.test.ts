/**
 * The two QRS reads/writes that keep per-tenant work small when one app carries thousands of deployment names:
 * the table view (scalar columns without the app's value list) and selection + synthetic multi-edit (adds a value
 * without sending or receiving the app's whole value list).
 */
import { startSimulator, type Simulator } from '../../src/simulator';
import { cloudClient, filter, qrsClient, setUpTenant, waitForCloudApp, type QrsClient } from './client';
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

  it('10,000 values on one app: counts, table rows and synthetic reads stay small', async () => {
    const big = await startSimulator({ tenants: 1, seed: 12, distributionDelayMs: 20 });
    try {
      const client = qrsClient(big);
      const app = (await client('GET', `/qrs/app/full?${filter("name eq 'Operations Overview'")}`)).body[0];
      const selection = (await client('POST', '/qrs/selection', { items: [{ type: 'App', objectID: app.id }] })).body;
      const path = `/qrs/selection/${selection.id}/app/synthetic`;
      const names = Array.from({ length: 10_000 }, (_, i) => `customer-${String(i).padStart(5, '0')}`);
      for (let i = 0; i < names.length; i += 1_000) {
        const { latestModifiedDate } = (await client('GET', path)).body;
        const put = await client('PUT', path, { type: 'App', latestModifiedDate, properties: [{ name: '@Deployments', value: { added: names.slice(i, i + 1_000), removed: [] }, valueIsModified: true }] });
        expect(put.status).toBe(204);
      }
      const timed = async <T>(what: string, run: () => Promise<T>) => {
        const started = process.hrtime.bigint();
        const result = await run();
        process.stdout.write(`10,000 values: ${what} in ${Number(process.hrtime.bigint() - started) / 1e6} ms\n`);
        return result;
      };
      const count = await timed('count by value', () => client('GET', `/qrs/app/count?${filter(`id eq ${app.id} and customProperties.definition.name eq 'Deployments' and customProperties.value eq 'customer-09999'`)}`));
      expect(count.body).toEqual({ value: 1 });
      const again = await timed('count by value again (app unchanged)', () => client('GET', `/qrs/app/count?${filter(`id eq ${app.id} and customProperties.value eq 'customer-00000'`)}`));
      expect(again.body).toEqual({ value: 1 });
      const table = await timed('table row', () => client('POST', `/qrs/app/table?${filter(`id eq ${app.id}`)}`, { entity: 'App', columns: APP_COLUMNS }));
      expect(table.body.rows).toHaveLength(1);
      expect(JSON.stringify(table.body).length).toBeLessThan(1_000);
      const synthetic = await timed('synthetic read', () => client('GET', path));
      expect(synthetic.body.properties.find((p: { name: string }) => p.name === '@Deployments').value).toHaveLength(10_000);
    } finally {
      await big.stop();
    }
  }, 60_000);
});
