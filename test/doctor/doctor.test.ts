/**
 * qlik-rollout doctor against the simulator (real sockets): it tells which behaviour the simulator plays for each
 * assumption a read-only look can settle, sends no write, prints no secret, and exits 0 / 1 / 2 as documented.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify, parse } from 'yaml';
import { createDeployment, readLocalBearerToken, hdsClient, listDeployments } from '../../src/qlik/hds/deployments';
import { closeAllPools } from '../../src/qlik/pools';
import { simulatorPlan } from '../../src/plan/simulator-plan';
import { qrsClient } from '../../src/qlik/qrs/client';
import { systemRules } from '../../src/qlik/qrs/system-rules';
import { checkOf, doctor, type DoctorJson, type DoctorSim, simulatorSecrets, startDoctorSim, writesIn } from './doctor-sim';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-test-'));
afterAll(async () => {
  await closeAllPools();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Per variant set: what doctor must observe, as [check id, scope, variant key, value]. */
const CASES: Array<{ name: string; variants: Record<string, string>; policyCategory?: string; expected: Array<[string, string, string, string]> }> = [
  {
    name: 'defaults',
    variants: {},
    expected: [
      ['A1', 'site', 'hds-list', 'array'], ['A1', 'site', 'hds-casing', 'camel'], ['A2', 'site', 'multiedit-key', 'name'],
      ['A8', 'site', 'failure-records', 'execution-results'], ['A12', 'site', 'token-text', 'stable'], ['A13', 'site', 'session-cookie', 'yes'],
      ['A4', 'tenant-001', 'items-staged', 'noactions-only'], ['A5', 'tenant-001', 'copy-id', 'new'], ['A6', 'tenant-001', 'cloud-reload-time', 'equal'],
    ],
  },
  {
    name: 'the other values',
    variants: { 'hds-casing': 'pascal', 'hds-list': 'envelope', 'multiedit-key': 'id', 'items-staged': 'always', 'copy-id': 'same', 'cloud-reload-time': 'earlier-ms', 'failure-records': 'none', 'token-text': 'per-call', 'session-cookie': 'no' },
    expected: [
      ['A1', 'site', 'hds-list', 'envelope'], ['A1', 'site', 'hds-casing', 'pascal'], ['A2', 'site', 'multiedit-key', 'id'],
      ['A8', 'site', 'failure-records', 'none'], ['A12', 'site', 'token-text', 'per-call'], ['A13', 'site', 'session-cookie', 'no'],
      ['A4', 'tenant-001', 'items-staged', 'always'], ['A5', 'tenant-001', 'copy-id', 'same'], ['A6', 'tenant-001', 'cloud-reload-time', 'earlier-ms'],
    ],
  },
  { name: 'reload time later', variants: { 'cloud-reload-time': 'later-ms' }, expected: [['A6', 'tenant-001', 'cloud-reload-time', 'later-ms']] },
  { name: 'reload time in seconds', variants: { 'cloud-reload-time': 'seconds' }, expected: [['A6', 'tenant-001', 'cloud-reload-time', 'seconds']] },
  // A policy in Sync that still distributes: the one policy-category value a read-only look can tell.
  { name: 'policies read in Sync', variants: { 'policy-category': 'any' }, policyCategory: 'Sync', expected: [['A3', 'site', 'policy-category', 'any']] },
];

describe.each(CASES)('variants: $name', ({ name, variants, policyCategory, expected }) => {
  let stack: DoctorSim;
  beforeAll(async () => {
    stack = await startDoctorSim(path.join(root, name.replace(/\W+/g, '-')), { variants, policyCategory });
  });
  afterAll(async () => {
    await closeAllPools();
    await stack?.stop();
  });

  test('doctor detects the behaviour, writes nothing, prints no secret', async () => {
    const run = await doctor(stack.planFile, '--json');
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as DoctorJson;
    const seen = expected.map(([id, scope, key]) => [id, scope, key, checkOf(report, id, scope).observed?.[key]]);
    expect(seen).toEqual(expected);
    // Every assumption has an answer for the site or for each tenant.
    const ids = new Set(report.checks.map((c) => c.id));
    for (const id of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A10', 'A11', 'A12', 'A13']) expect(ids).toContain(id);
    expect(report.checks.filter((c) => c.breaks)).toEqual([]);
    expect(run.code).toBe(0);

    const log = stack.sim.requestLog();
    expect(writesIn(log)).toEqual([]);
    const selections = (method: string) => log.filter((e) => e.method === method && /\/qrs\/selection/i.test(e.path)).length;
    expect(selections('DELETE')).toBe(selections('POST'));

    const plan = simulatorPlan(stack.sim, { apps: ['Sales Analytics'] });
    const hds = await hdsClient(plan.source);
    const tokens = await Promise.all((await listDeployments(hds)).map((d) => readLocalBearerToken(hds, d.id)));
    const text = await doctor(stack.planFile);
    for (const secret of [...simulatorSecrets(stack.sim.secretsDir), ...tokens]) {
      expect(run.stdout).not.toContain(secret);
      expect(text.stdout).not.toContain(secret);
    }
    expect(text.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(text.stdout).toContain('Nothing contradicts the plan.');
  });
});

describe('contradictions and bad input', () => {
  let stack: DoctorSim;
  beforeAll(async () => {
    stack = await startDoctorSim(path.join(root, 'contradictions'), { tenantsWithoutManagedSpaces: ['tenant-002'], distribute: false });
  });
  afterAll(async () => {
    await closeAllPools();
    await stack?.stop();
  });

  test('a tenant without managed spaces: exit 1 naming the fix; unknowns where nothing was distributed yet', async () => {
    const run = await doctor(stack.planFile, '--json');
    const report = JSON.parse(run.stdout) as DoctorJson;
    expect(run.code).toBe(1);
    expect(checkOf(report, 'managed-spaces', 'tenant-002')).toMatchObject({ answer: 'contradicted', breaks: true, fix: expect.stringContaining('no managed spaces') });
    expect(checkOf(report, 'managed-spaces', 'tenant-001').answer).toBe('holds');
    expect(checkOf(report, 'A5', 'tenant-001')).toMatchObject({ answer: 'unknown', fix: expect.stringContaining('after the first distribution') });
    expect(checkOf(report, 'A1')).toMatchObject({ answer: 'unknown', observed: { 'hds-list': 'array' } });
    expect(writesIn(stack.sim.requestLog())).toEqual([]);

    const only = JSON.parse((await doctor(stack.planFile, '--json', '--tenant', 'tenant-001')).stdout) as DoctorJson;
    expect(only.exitCode).toBe(0);
    expect(new Set(only.checks.map((c) => c.scope))).toEqual(new Set(['site', 'tenant-001']));
  });

  test('a wrong API key: tenant contradicted, exit 1, the key never printed', async () => {
    const wrongKey = path.join(stack.dir, 'wrong.apikey');
    fs.writeFileSync(wrongKey, 'not-the-key-of-tenant-001-0123456789');
    const file = parse(fs.readFileSync(stack.planFile, 'utf8')) as { tenants: Array<{ auth: { key: string } }> };
    file.tenants[0].auth.key = `file:${wrongKey}`;
    const planFile = path.join(stack.dir, 'wrong-key.yaml');
    fs.writeFileSync(planFile, stringify(file));
    const run = await doctor(planFile, '--tenant', 'tenant-001');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/tenant\s+CONTRADICTED/);
    expect(run.stdout).toContain(`file:${wrongKey}`);
    expect(run.stdout).not.toContain('not-the-key-of-tenant-001-0123456789');
  });

  test('a bad plan or an unknown tenant: exit 2, nothing contacted', async () => {
    stack.sim.clearRequestLog();
    const bad = path.join(stack.dir, 'bad.yaml');
    fs.writeFileSync(bad, 'apiVersion: qlik-rollout/v1\nname: x\n');
    expect((await doctor(bad)).code).toBe(2);
    expect((await doctor(stack.planFile, '--tenant', 'nobody')).code).toBe(2);
    expect(stack.sim.requestLog()).toEqual([]);
  });

  test('--no-selection: A2 unknown, no selection made', async () => {
    stack.sim.clearRequestLog();
    const report = JSON.parse((await doctor(stack.planFile, '--json', '--no-selection', '--tenant', 'tenant-001')).stdout) as DoctorJson;
    expect(checkOf(report, 'A2')).toMatchObject({ answer: 'unknown', evidence: expect.stringContaining('--no-selection') });
    expect(stack.sim.requestLog().filter((e) => e.method !== 'GET' && !/\/table$/.test(e.path.split('?')[0]))).toEqual([]);
  });

  test('A3: the plan\'s policy made in the QMC in Sync breaks the rollout; in another category, the plan should name it', async () => {
    const plan = simulatorPlan(stack.sim, { name: 'doctor-test', apps: ['Sales Analytics'] });
    const qrs = await qrsClient(plan.source);
    const rule = await systemRules.create(qrs, {
      name: plan.policy.name, category: 'Sync', type: 'Custom', resourceFilter: 'App_*', actions: 1024, ruleContext: 0, disabled: false,
      rule: '((resource.@Deployments = subject.name))', comment: 'made in the QMC',
    });
    stack.sim.clearRequestLog();
    const sync = await doctor(stack.planFile, '--json', '--tenant', 'tenant-001');
    expect(sync.code).toBe(1);
    expect(checkOf(JSON.parse(sync.stdout) as DoctorJson, 'A3')).toMatchObject({ answer: 'contradicted', breaks: true, fix: expect.stringContaining('Sync') });

    // The doctor closed every pool when it was done: a fresh client.
    const again = await qrsClient(plan.source);
    await systemRules.update(again, { ...(await systemRules.get(again, rule.id)), category: 'License' });
    stack.sim.clearRequestLog();
    const other = await doctor(stack.planFile, '--json', '--tenant', 'tenant-001');
    expect(other.code).toBe(0);
    expect(checkOf(JSON.parse(other.stdout) as DoctorJson, 'A3')).toMatchObject({ answer: 'contradicted', breaks: false, fix: expect.stringContaining('policy.category: License') });
    expect(writesIn(stack.sim.requestLog())).toEqual([]);
  });

  test('control characters in Qlik\'s answers never reach the terminal', async () => {
    const plan = simulatorPlan(stack.sim, { name: 'doctor-test', apps: ['Sales Analytics'] });
    await createDeployment(await hdsClient(plan.source), { name: 'evil\u001b[2J\u001b[31m\nname\u0007', serviceUrl: 'http://127.0.0.1:9/' });
    const run = await doctor(stack.planFile, '--tenant', 'tenant-001');
    expect(run.stdout).toContain('evil');
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});
