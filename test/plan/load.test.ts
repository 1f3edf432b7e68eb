import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPlanFile, parsePlanText, PlanError } from '../../src/plan/load';
import { JSON_SCHEMA_FILE, renderJsonSchema } from '../../src/plan/write-json-schema';
import { FILE_LIMITS } from '../../src/plan/bounds';
import { tenantUrlKey } from '../../src/plan/schema';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'plan.yaml');

const minimal = (extra = '') => `apiVersion: qlik-rollout/v1
name: demo
source:
  qrs:
    url: http://127.0.0.1:9000/jwt
    auth: { type: jwt, token: env:QRS_JWT }
apps:
  - { name: Sales, stream: Customers }
tenantDefaults:
  managedSpace: '{name} Analytics'
  auth: { type: apiKey, key: 'file:keys/{name}.key' }
tenants:
  - { name: t-01, url: https://t-01.eu.qlikcloud.com }
  - { name: t-02, url: https://t-02.eu.qlikcloud.com/ }
  - { name: t-03, url: https://t-03.eu.qlikcloud.com }
${extra}`;

function issuesOf(text: string): PlanError['issues'] {
  try {
    parsePlanText(text, 'plan.yaml', '/plans');
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return (err as PlanError).issues;
  }
  throw new Error('expected the plan to be rejected');
}

describe('plan loading', () => {
  test('the documented example loads, with waves expanded from names and patterns', () => {
    const plan = loadPlanFile(EXAMPLE);
    expect(plan.name).toBe('spring-2026');
    expect(plan.waves.map((w) => [w.name, w.tenants])).toEqual([
      ['canary', ['acme']],
      ['early', ['initech-01', 'initech-02']],
      ['rest', ['globex', 'umbrella']],
    ]);
    expect(plan.waves[1].soakMs).toBe(600_000);
    expect(plan.waves[0].approval).toBe(true);
    expect(plan.limits.maxAppSizeBytes).toBe(5 * 1024 ** 3);
    expect(plan.sync.pollIntervalMs).toBe(30_000);
    expect(plan.failureBudget).toBe(2);
  });

  test('defaults: one wave with every tenant, policy from the apps, relative file refs made absolute', () => {
    const plan = parsePlanText(minimal(), 'plan.yaml', '/plans');
    expect(plan.waves).toEqual([{ name: 'all', tenants: ['t-01', 't-02', 't-03'], concurrency: 5, soakMs: 0, approval: false, failureBudget: 0 }]);
    expect(plan.policy).toEqual({ name: 'qlik-rollout demo', customProperty: 'Deployments', stream: 'Customers' });
    expect(plan.tenantDefaults.auth).toEqual({ type: 'apiKey', key: 'file:/plans/keys/{name}.key' });
    expect(plan.source.deploymentsUrl).toBe('http://127.0.0.1:9000/jwt');
    expect(plan.source.user).toEqual({ directory: 'INTERNAL', id: 'sa_api' });
    expect(plan.tenants[1].url).toBe('https://t-02.eu.qlikcloud.com');
  });

  test('JSON plans load too', () => {
    const json = JSON.stringify(parseYaml(minimal()), null, 2);
    expect(parsePlanText(json, 'plan.json').tenants).toHaveLength(3);
  });

  test('a literal secret is refused without echoing it, with the path, the line and how to fix it', () => {
    const text = minimal().replace("key: 'file:keys/{name}.key'", 'key: eyJhbGciOiJFUzM4NCJ9.secret');
    const [issue] = issuesOf(text);
    expect(issue.pathText).toBe('tenantDefaults.auth.key');
    expect(issue.line).toBe(11);
    expect(issue.message).toMatch(/env:VAR_NAME/);
    expect(issue.message).toMatch(/file:/);
    expect(issue.message).not.toMatch(/eyJhbGci/);
  });

  test('every problem is reported with its path and line', () => {
    const text = minimal(`waves:
  - { name: canary, tenants: [t-01, nope] }
  - { name: rest, tenants: ['t-0*'] }
`).replace('https://t-03.eu.qlikcloud.com', 'http://t-03.eu.qlikcloud.com').replace('name: t-02', 'name: t-01');
    const issues = issuesOf(text);
    const byPath = Object.fromEntries(issues.map((i) => [i.pathText, i]));
    expect(byPath['tenants[2].url'].message).toMatch(/must use https/);
    expect(byPath['tenants[2].url'].line).toBe(15);
    expect(byPath['tenants[1].name'].message).toMatch(/duplicate tenant name "t-01"/);
    expect(byPath['waves[0].tenants[1]'].message).toMatch(/unknown tenant "nope"/);
    expect(byPath['waves[0].tenants[1]'].line).toBe(17);
    expect(byPath['waves[1].tenants[0]'].message).toMatch(/already in wave "canary"/);
  });

  test('tenants in no wave, two rest waves, bad names and unknown keys are errors', () => {
    const issues = issuesOf(minimal(`waves:\n  - { name: one, tenants: [t-01] }\n`));
    expect(issues).toEqual([expect.objectContaining({ pathText: 'waves', message: expect.stringMatching(/tenants in no wave: "t-02", "t-03"/) })]);
    const twoRests = issuesOf(minimal(`waves:\n  - { name: a, tenants: ['*'] }\n  - { name: b, tenants: ['*'] }\n`));
    expect(twoRests[0].message).toMatch(/"\*" \(the rest\) may appear in one wave only/);
    expect(issuesOf(minimal().replace('name: demo', 'name: Demo_1'))[0].pathText).toBe('name');
    expect(issuesOf(minimal().replace('name: t-03', 'name: "t 03"'))[0].message).toMatch(/not a valid deployment name/);
    const typo = issuesOf(minimal('concurency: 3\n'));
    expect(typo[0]).toMatchObject({ pathText: 'concurency', line: 16, message: expect.stringMatching(/unknown field "concurency"/) });
    expect(issuesOf(minimal().replace('apiVersion: qlik-rollout/v1', 'apiVersion: v0'))[0]).toMatchObject({ pathText: 'apiVersion', line: 1 });
  });

  test('durations, sizes, broken YAML and a missing file', () => {
    expect(issuesOf(minimal('sync: { pollInterval: soon }\n'))[0]).toMatchObject({ pathText: 'sync.pollInterval', line: 16 });
    expect(parsePlanText(minimal('limits: { maxAppSize: 500MB }\n'), 'p').limits.maxAppSizeBytes).toBe(500 * 1024 ** 2);
    expect(issuesOf('apiVersion: [\n')[0].message).toMatch(/not valid YAML/);
    expect(() => loadPlanFile(path.join(os.tmpdir(), 'no-such-plan.yaml'))).toThrow(/file not found/);
  });

  test('within the file limits: a 10,000-tenant plan, aliases, quotes and brackets in names all load', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `  - { name: tenant-${i}, url: https://tenant-${i}.eu.qlikcloud.com, auth: { type: apiKey, key: env:KEY_${i} } }`);
    const big = minimal().replace(/tenants:\n(  - .*\n)+/, `tenants:\n${lines.join('\n')}\n`);
    expect(Buffer.byteLength(big)).toBeLessThan(FILE_LIMITS.maxBytes);
    const started = Date.now();
    expect(parsePlanText(big, 'big.yaml').tenants).toHaveLength(10_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    const friendly = minimal(`waves:
  - &wave { name: "O'Brien [EU", tenants: ['t-0*'], concurrency: 2 }
`).replace('{ name: Sales, stream: Customers }', "{ name: 'Sales [EU', stream: \"Customers\" } # a comment with [ and '")
      .replace("auth: { type: apiKey, key: 'file:keys/{name}.key' }", "auth: &auth { type: apiKey, key: 'file:keys/{name}.key' }")
      .replace('{ name: t-01, url: https://t-01.eu.qlikcloud.com }', '{ name: t-01, url: https://t-01.eu.qlikcloud.com, auth: *auth }');
    const plan = parsePlanText(friendly, 'friendly.yaml');
    expect(plan.waves[0]).toMatchObject({ name: "O'Brien [EU", tenants: ['t-01', 't-02', 't-03'] });
    expect(plan.apps[0].name).toBe('Sales [EU');
    expect(plan.tenants[0].auth).toEqual({ type: 'apiKey', key: `file:${path.resolve('keys/{name}.key')}` });
  });

  test('bounds: at the edges a plan loads, one step outside it is refused naming the bound', () => {
    const edges = parsePlanText(minimal(`limits: { maxAppSize: 1MB }
waves: [{ name: all, tenants: ['*'], soak: 14d, concurrency: 1000 }]
sync: { pollInterval: 1h }
`), 'edges.yaml');
    expect(edges.limits.maxAppSizeBytes).toBe(1024 ** 2);
    expect(edges.waves[0]).toMatchObject({ soakMs: 14 * 86_400_000, concurrency: 1000 });
    expect(edges.sync.pollIntervalMs).toBe(3_600_000);
    expect(issuesOf(minimal('sync: { pollInterval: 999ms }\n'))[0]).toMatchObject({ pathText: 'sync.pollInterval', message: expect.stringMatching(/1s to 1h/) });
    expect(issuesOf(minimal('limits: { maxAppSize: 1048575 }\n'))[0]).toMatchObject({ pathText: 'limits.maxAppSize', message: expect.stringMatching(/at least 1,048,576/) });
    expect(issuesOf(minimal('limits: { maxAppSize: 101GB }\n'))[0].message).toMatch(/1MB to 100GB/);
    expect(issuesOf(minimal("waves: [{ name: all, tenants: ['*'], soak: 15d }]\n"))[0].message).toMatch(/soak must be 0s to 14d/);
  });

  test('tenant URL identity: scheme and host case, default port, trailing slash and dot are ignored; paths and ports are not', () => {
    expect(tenantUrlKey('HTTPS://Acme.EU.QlikCloud.com:443/')).toBe('https://acme.eu.qlikcloud.com');
    expect(tenantUrlKey('https://acme.eu.qlikcloud.com./a/../')).toBe('https://acme.eu.qlikcloud.com');
    expect(tenantUrlKey('https://acme.eu.qlikcloud.com:8443')).toBe('https://acme.eu.qlikcloud.com:8443');
    expect(tenantUrlKey('http://127.0.0.2:9000')).not.toBe(tenantUrlKey('http://127.0.0.3:9000'));
    expect(tenantUrlKey('not a url')).toBeUndefined();
  });

  test('the committed JSON Schema is up to date and accepts the example', () => {
    const committed = fs.readFileSync(JSON_SCHEMA_FILE, 'utf8');
    expect(committed).toBe(renderJsonSchema()); // if this fails: npx tsx src/plan/write-json-schema.ts
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(committed));
    expect(validate(parseYaml(fs.readFileSync(EXAMPLE, 'utf8')))).toBe(true);
    expect(validate({ apiVersion: 'qlik-rollout/v1', name: 'x' })).toBe(false);
  });
});
