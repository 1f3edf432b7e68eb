/**
 * Assumption A1 (audit F6): HDS deployment objects in camelCase or PascalCase, the list as a bare array or a
 * {data: [...]} envelope. Phase 3 works on every simulator variant; a list the tool cannot read stops the tenant with
 * a config failure naming A1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { FailureTypes } from '../../src/activities/types';
import { toActivityFailure } from '../../src/qlik/errors';
import { hdsClient, listDeployments } from '../../src/qlik/hds/deployments';
import type { Simulator } from '../../src/simulator/api';
import { VARIANTS } from '../../src/simulator/variants';
import { activities, phaseContext, runActivity, startTestSimulator, stopAll } from '../activities/sim-context';

const combinations = VARIANTS['hds-casing'].values.flatMap((casing) => VARIANTS['hds-list'].values.map((list) => [casing, list] as const));

describe.each(combinations)('hds-casing=%s hds-list=%s', (casing, list) => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ tenants: 1, variants: { 'hds-casing': casing, 'hds-list': list } });
  });
  afterAll(() => stopAll(sim));

  test('ensureDeployment creates the deployment once, then finds it by name; the list reads back with camel fields', async () => {
    const ctx = phaseContext(sim, sim.tenants[0]);
    const first = await runActivity(activities.ensureDeployment, ctx);
    expect(first.deployment).toBe('created');
    expect(await runActivity(activities.ensureDeployment, ctx)).toEqual({ deploymentId: first.deploymentId, deployment: 'unchanged' });
    expect(sim.dump().site.deployments).toHaveLength(1);
    const hds = await hdsClient(ctx.source);
    const [deployment] = await listDeployments(hds);
    expect(deployment).toMatchObject({ id: first.deploymentId, name: ctx.tenant.name, serviceUrl: ctx.tenant.url });
    // What the simulator sent on the wire is the variant's shape.
    const raw = (await hds.request({ method: 'GET', route: '/api/hds/v1/Deployments', schema: z.unknown() })).data as Record<string, unknown>;
    const items = (list === 'envelope' ? raw.data : raw) as Array<Record<string, unknown>>;
    expect(Object.keys(items[0])).toEqual(expect.arrayContaining(casing === 'pascal' ? ['Id', 'Name', 'ServiceUrl'] : ['id', 'name', 'serviceUrl']));
  });
});

describe('an HDS list the tool cannot read', () => {
  let server: http.Server;
  let base: string;
  let answer = '';
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwt`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const source = () => ({ qrsUrl: base, deploymentsUrl: base, auth: { type: 'jwt' as const, token: 'env:HDS_VARIANTS_TEST_JWT' }, user: { directory: 'INTERNAL', id: 'sa_api' }, rejectUnauthorized: true });

  test.each([
    ['an object without a list', '{"items":{"count":1}}'],
    ['deployments without ids', '[{"Name":"acme"}]'],
  ])('%s: a non-retryable config failure naming assumption A1', async (_what, body) => {
    process.env.HDS_VARIANTS_TEST_JWT = 'test-jwt';
    answer = body;
    const failure = toActivityFailure(await listDeployments(await hdsClient(source())).catch((err: unknown) => err));
    expect(failure).toMatchObject({ type: FailureTypes.Config, nonRetryable: true });
    expect(failure.message).toMatch(/\[assumption A1: /);
    expect(failure.message).toContain('GET /api/hds/v1/Deployments');
  });

  test('mixed casing and a {Data} envelope are read', async () => {
    process.env.HDS_VARIANTS_TEST_JWT = 'test-jwt';
    answer = '{"Data":[{"ID":"d-1","name":"acme","ServiceURL":"https://acme.example.com"}]}';
    expect(await listDeployments(await hdsClient(source()))).toEqual([expect.objectContaining({ id: 'd-1', name: 'acme', serviceUrl: 'https://acme.example.com' })]);
  });
});
