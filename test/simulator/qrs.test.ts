import { startSimulator, type Simulator } from '../../src/simulator';
import { compileFilter } from '../../src/simulator/qseow/filter';
import { filter, qrsClient, readSecret, setUpTenant, XRF, type QrsClient } from './client';
import { qrsValidator } from './qrs-schema';

describe('QRS and deployment API', () => {
  let sim: Simulator;
  let qrs: QrsClient;
  const validate = qrsValidator();

  beforeAll(async () => {
    sim = await startSimulator({ tenants: 2, seed: 5, distributionDelayMs: 20 });
    qrs = qrsClient(sim);
    await setUpTenant(qrs, sim.tenants[0]);
  });
  afterAll(() => sim.stop());

  it('answers 401 without the virtual proxy JWT and 400 on a missing, different or malformed Xrfkey', async () => {
    expect((await qrs('GET', '/qrs/about', undefined, { jwt: 'not-the-token' })).status).toBe(401);
    const missing = await qrs('GET', '/qrs/about', undefined, { xrf: null, headerXrf: null });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatch(/Xrfkey/);
    expect((await qrs('GET', '/qrs/about', undefined, { headerXrf: null })).status).toBe(400);
    expect((await qrs('GET', '/qrs/about', undefined, { headerXrf: 'zyxwvutsrq654321' })).status).toBe(400);
    expect((await qrs('GET', '/qrs/about', undefined, { xrf: 'short-key!', headerXrf: 'short-key!' })).status).toBe(400);
    expect((await qrs('GET', '/qrs/about')).status).toBe(200);
    // Same API without the virtual proxy prefix, same bearer.
    const unprefixed = await fetch(sim.qrsUrl.replace(/\/jwt$/, `/qrs/about?Xrfkey=${XRF}`), {
      headers: { authorization: `Bearer ${readSecret(sim.qrsTokenRef)}`, 'x-qlik-xrfkey': XRF },
    });
    expect(unprefixed.status).toBe(200);
  });

  it('serves the seeded site; every body validates against the QRS swagger', async () => {
    const about = await qrs('GET', '/qrs/about');
    expect(validate('About', about.body)).toEqual([]);
    const apps = (await qrs('GET', '/qrs/app/full')).body;
    expect(apps.map((a: { name: string }) => a.name).sort()).toEqual(sim.seededApps.map((a) => a.name).sort());
    for (const app of apps) expect(validate('App', app)).toEqual([]);
    for (const app of (await qrs('GET', '/qrs/app')).body) expect(validate('AppCondensed', app)).toEqual([]);
    const huge = apps.find((a: { name: string }) => a.name === 'Huge Warehouse');
    expect(huge.fileSize).toBe(6 * 1024 ** 3);
    expect(apps.find((a: { name: string }) => a.name === 'Draft Budget')).toMatchObject({ published: false, stream: null });
    for (const type of ['Stream', 'CustomPropertyDefinition', 'ReloadTask', 'ExecutionResult', 'User']) {
      const list = (await qrs('GET', `/qrs/${type.toLowerCase()}/full`)).body;
      expect(list.length).toBeGreaterThan(0);
      for (const entity of list) expect(validate(type, entity)).toEqual([]);
    }
    const def = (await qrs('GET', `/qrs/custompropertydefinition/full?${filter("name eq 'Deployments'")}`)).body[0];
    expect(def).toMatchObject({ valueType: 'Text', objectTypes: ['App'], choiceValues: [sim.tenants[0].name] });
    expect((await qrs('GET', '/qrs/app/count')).body).toEqual({ value: 5 });

    for (const rule of (await qrs('GET', '/qrs/systemrule/full')).body) expect(validate('SystemRule', rule)).toEqual([]);
    const task = (await qrs('GET', '/qrs/reloadtask/full')).body[0];
    const run = await qrs('POST', `/qrs/task/${task.id}/start/synchronous`);
    const session = await qrs('GET', `/qrs/executionsession/${run.body.value}`);
    expect(validate('ExecutionSession', session.body)).toEqual([]);
    const created = await qrs('POST', '/qrs/tag', { name: 'multi-cloud' });
    expect(created.status).toBe(201);
    expect(validate('Tag', created.body)).toEqual([]);
    const stream = await qrs('POST', '/qrs/stream', { name: 'Partners' });
    expect(validate('Stream', stream.body)).toEqual([]);
  });

  it('rejects a stale modifiedDate with 409 and records X-Qlik-User', async () => {
    const app = (await qrs('GET', `/qrs/app/full?${filter("name eq 'Operations Overview'")}`)).body[0];
    const first = await qrs('PUT', `/qrs/app/${app.id}`, { ...app, description: 'first writer' });
    expect(first.status).toBe(200);
    expect(first.body.modifiedByUserName).toBe('INTERNAL\\sa_test');
    expect(Date.parse(first.body.modifiedDate)).toBeGreaterThan(Date.parse(app.modifiedDate));
    const stale = await qrs('PUT', `/qrs/app/${app.id}`, { ...app, description: 'second writer' });
    expect(stale.status).toBe(409);
    expect((await qrs('PUT', `/qrs/app/${app.id}`, { id: app.id, description: 'no version' })).status).toBe(409);
    expect((await qrs('GET', `/qrs/app/${app.id}`)).body.description).toBe('first writer');

    const def = (await qrs('GET', '/qrs/custompropertydefinition/full')).body[0];
    expect((await qrs('PUT', `/qrs/custompropertydefinition/${def.id}`, { ...def, choiceValues: ['a'] })).status).toBe(200);
    expect((await qrs('PUT', `/qrs/custompropertydefinition/${def.id}`, { ...def, choiceValues: ['b'] })).status).toBe(409);
  });

  it('filters like the QRS: operators, and/or, parentheses, dotted paths, case-insensitive strings', async () => {
    const names = async (f: string) => (await qrs('GET', `/qrs/app/full?${filter(f)}`)).body.map((a: { name: string }) => a.name).sort();
    expect(await names("name eq 'SALES ANALYTICS'")).toEqual(['Sales Analytics']);
    expect(await names("stream.name eq 'customers' and (name sw 'huge' or name ew 'finance')")).toEqual(['Failed Finance', 'Huge Warehouse']);
    expect(await names("name so 'over'")).toEqual(['Operations Overview']);
    expect(await names('published eq false')).toEqual(['Draft Budget']);
    expect(await names(`fileSize gt ${5 * 1024 ** 3}`)).toEqual(['Huge Warehouse']);
    expect(await names(`customProperties.value eq '${sim.tenants[0].name}'`)).toEqual(['Sales Analytics']);
    expect(await names("name ne 'Draft Budget' and not stream.name eq 'Customers'")).toEqual([]);
    const sales = (await qrs('GET', `/qrs/app/full?${filter("name eq 'Sales Analytics'")}`)).body[0];
    expect(await names(`id eq ${sales.id}`)).toEqual(['Sales Analytics']);
    expect(await names("lastReloadTime gt '2000-01-01 00:00:00'")).toHaveLength(5);
    expect((await qrs('GET', `/qrs/app/full?${filter("name eq 'unterminated")}`)).status).toBe(400);
    expect(compileFilter("name eq 'O''Brien'")({ name: "o'brien" })).toBe(true);
  });

  it('publishes only unpublished apps; reload moves lastReloadTime', async () => {
    const draft = (await qrs('GET', `/qrs/app/full?${filter("name eq 'Draft Budget'")}`)).body[0];
    const stream = (await qrs('GET', `/qrs/stream?${filter("name eq 'Everyone'")}`)).body[0];
    expect((await qrs('PUT', `/qrs/app/${draft.id}/publish`)).status).toBe(400);
    const published = await qrs('PUT', `/qrs/app/${draft.id}/publish?stream=${stream.id}`);
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ published: true, stream: { name: 'Everyone' } });
    expect((await qrs('PUT', `/qrs/app/${draft.id}/publish?stream=${stream.id}`)).status).toBe(400);
    expect((await qrs('POST', `/qrs/app/${draft.id}/reload`)).status).toBe(204);
    expect(Date.parse((await qrs('GET', `/qrs/app/${draft.id}`)).body.lastReloadTime)).toBeGreaterThan(Date.parse(draft.lastReloadTime));
  });

  it('keeps deployments unique by name and hands out the token in Qlik Cloud format', async () => {
    const t = sim.tenants[1];
    const created = await qrs('POST', '/api/hds/v1/Deployments', { name: t.name, audience: 'qlik.api', serviceUrl: t.url, localBearerToken: true });
    expect(created.status).toBe(201);
    expect((await qrs('POST', '/api/hds/v1/Deployments', { name: t.name.toUpperCase(), serviceUrl: t.url })).status).toBe(409);
    expect((await qrs('POST', '/api/hds/v1/Deployments', { name: 'x' })).status).toBe(400);
    const list = (await qrs('GET', '/api/hds/v1/Deployments')).body;
    expect(list.map((d: { name: string }) => d.name)).toContain(t.name);
    const qcs = await qrs('GET', `/api/hds/v1/Deployments/${created.body.id}/elastictokenconfig?qcsFormat=True`);
    const plain = await qrs('GET', `/api/hds/v1/Deployments/${created.body.id}/elastictokenconfig?qcsFormat=False`);
    expect(qcs.headers['content-type']).toMatch(/text\/plain/);
    expect(Buffer.from(qcs.body, 'base64').toString('utf8')).toBe(plain.body);
    expect((await qrs('GET', '/api/hds/v1/Deployments', undefined, { jwt: 'nope' })).status).toBe(401);
  });

  it('validates distribution policy rules', async () => {
    const bad = await qrs('POST', '/qrs/systemrule', { name: 'broken', resourceFilter: 'App_*', actions: 1024, rule: 'resource.@Deployments = ' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/rule condition is not valid/);
    expect((await qrs('POST', '/qrs/systemrule', { name: 'no filter', actions: 1024, rule: '' })).status).toBe(400);
  });
});
