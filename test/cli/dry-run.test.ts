/**
 * `qlik-rollout plan PLAN` (the dry run) as a person runs it against the simulator: each line is the phase's own
 * decision (a stale or foreign IdP, a QMC-made policy it may not rewrite, two copies it cannot tell apart), the sync
 * line asks Temporal, and nothing is ever written.
 */
import fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { idpDescription } from '../../src/activities/idp-marker';
import { cloudClient } from '../../src/qlik/cloud/client';
import { createMultiCloudIdp } from '../../src/qlik/cloud/identity-providers';
import { getMe } from '../../src/qlik/cloud/users';
import { createDeployment, hdsClient, listDeployments } from '../../src/qlik/hds/deployments';
import { qrsClient } from '../../src/qlik/qrs/client';
import { systemRules } from '../../src/qlik/qrs/system-rules';
import { loadPlanFile } from '../../src/plan/load';
import { resolveTenant } from '../../src/plan/tenant';
import { cli, cliEnv, uniqueName } from './run-cli';
import { useCliSimStack } from './sim-stack';
import { writeNamedTenantPlan } from './tenant-plan';

const stack = useCliSimStack('dry-run', { tenants: 3, seed: 31, rateLimits: false });
const env = () => stack.env();

interface Line { phase: string; action: string; detail: string }
interface Preview { summary: Record<string, number>; tenants: Array<{ tenant: string; phases: Line[] }> }

/** Runs the dry run with --json; checks it wrote nothing to QSEoW or any tenant. */
async function dryRun(file: string, runEnv: Record<string, string> = env()): Promise<{ code: number; preview: Preview; byTenant: Record<string, Record<string, Line>> }> {
  const before = JSON.stringify(stack.sim.dump());
  const run = await cli(['--json', 'plan', file], { env: runEnv });
  expect(JSON.stringify(stack.sim.dump())).toBe(before);
  if (run.code !== 0 && run.code !== 1) throw new Error(`plan: exit ${run.code}: ${run.stderr}`);
  const preview = JSON.parse(run.stdout) as Preview;
  const byTenant = Object.fromEntries(preview.tenants.map((t) => [t.tenant, Object.fromEntries(t.phases.map((p) => [p.phase, p]))]));
  return { code: run.code, preview, byTenant };
}

const tenantOf = (file: string, name: string) => {
  const plan = loadPlanFile(file);
  return resolveTenant(plan, plan.tenants.find((t) => t.name === name)!);
};

test('before and after a rollout: a foreign IdP is no reason to say unchanged, a running sync is, a stale IdP is replaced', async () => {
  const prefix = uniqueName('dr');
  const [t1, t2] = [`${prefix}-t1`, `${prefix}-t2`];
  const { file } = await writeNamedTenantPlan(stack.sim, stack.dir, prefix, [t1, t2]);
  // Someone made a multi-cloud IdP by hand in t2's tenant: ensureIdp leaves it alone and still makes its own.
  const cloud2 = cloudClient(tenantOf(file, t2));
  const handMade = await createMultiCloudIdp(cloud2, { tenantId: (await getMe(cloud2)).tenantId, description: 'made by hand in the Management Console', token: 'hand-token' });

  const fresh = await dryRun(file);
  expect(fresh.code).toBe(0);
  for (const tenant of [t1, t2]) {
    expect(Object.keys(fresh.byTenant[tenant])).toEqual(['deployment', 'idp', 'policy', 'verify', 'publish', 'sync']);
    expect(fresh.byTenant[tenant]).toMatchObject({
      deployment: { action: 'create' },
      idp: { action: 'create' },
      policy: { action: 'create' },
      verify: { action: 'unchanged' },
      publish: { action: 'create' },
      sync: { action: 'create', detail: expect.stringContaining(`start sync-`) },
    });
  }
  expect(fresh.byTenant[t2].idp.detail).toContain(`not made by qlik-rollout for deployment "${t2}" left alone (${handMade.id})`);

  // Temporal down: the sync line says so instead of guessing; everything else is still read.
  const offline = await dryRun(file, cliEnv({ TEMPORAL_ADDRESS: '127.0.0.1:1' }));
  expect(offline.code).toBe(0);
  expect(offline.byTenant[t1].sync).toMatchObject({ action: 'unknown', detail: expect.stringMatching(/^unknown: Temporal not reachable/) });
  expect(offline.byTenant[t1].deployment.action).toBe('create');
  expect(offline.preview.summary.unknown).toBe(2);

  expect((await cli(['start', file], { env: env() })).code).toBe(0);
  const done = await cli(['watch', prefix, '--interval', '300'], { env: env(), signal: AbortSignal.timeout(90_000) });
  expect(done.stdout).toMatch(/succeeded/);

  const after = await dryRun(file);
  expect(after.code).toBe(0);
  for (const tenant of [t1, t2]) {
    for (const phase of ['deployment', 'idp', 'policy', 'verify', 'publish']) expect(after.byTenant[tenant][phase].action).toBe('unchanged');
    expect(after.byTenant[tenant].sync).toMatchObject({ action: 'unchanged', detail: expect.stringMatching(/^sync running since \d{4}-\d\d-\d\dT/) });
  }
  expect(after.byTenant[t2].idp.detail).toContain(handMade.id);
  const text = await cli(['plan', file], { env: env() });
  expect(text.stdout).toMatch(new RegExp(`sync +unchanged +sync running since`));
  expect(text.stdout).toContain('0 change(s)');

  // The deployment is re-made on QSEoW (new local bearer token): our IdP is stale and would be replaced.
  const hds = await hdsClient(loadPlanFile(file).source);
  const deployment = (await listDeployments(hds)).find((d) => d.name === t1)!;
  await hds.call({ method: 'DELETE', route: '/api/hds/v1/Deployments/{id}', params: { id: deployment.id } });
  const gone = await dryRun(file);
  expect(gone.byTenant[t1].deployment.action).toBe('create');
  expect(gone.byTenant[t1].idp).toMatchObject({ action: 'update', detail: expect.stringMatching(/^replace IdP\(s\) of qlik-rollout .* \(stale token or inactive\)/) });
  expect(gone.byTenant[t2].idp.action).toBe('unchanged');

  // A second distributed app of the same name lands in t2's managed space: first publish could not tell them apart.
  // writeNamedTenantPlan gives plan tenant i the simulator's tenant i.
  const placed = stack.sim.dump().tenants[stack.sim.tenants[1].name].apps.find((a) => a.spaceId)!;
  stack.sim.plantCloudApp(stack.sim.tenants[1].name, { name: placed.name, distributed: true, spaceId: placed.spaceId });
  const twins = await dryRun(file);
  expect(twins.code).toBe(1);
  expect(twins.byTenant[t2].publish).toMatchObject({ action: 'problem', detail: expect.stringContaining(`2 distributed apps are named "${placed.name}"`) });

  // A stopped sync: the rollout would start it again.
  for (const tenant of [t1, t2]) expect((await cli(['sync', 'stop', tenant], { env: env() })).code).toBe(0);
  const until = Date.now() + 20_000;
  let sync = (await dryRun(file)).byTenant[t2].sync;
  while (sync.action !== 'create' && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    sync = (await dryRun(file)).byTenant[t2].sync;
  }
  expect(sync).toMatchObject({ action: 'create', detail: expect.stringMatching(/the last one is (completed|terminated|cancelled)/) });
}, 150_000);

test('a QMC-made policy without the conditions the tool relies on: the policy line is the problem the phase would stop with', async () => {
  const name = uniqueName('drp');
  const { file } = await writeNamedTenantPlan(stack.sim, stack.dir, name, [`${name}-t1`]);
  const plan = loadPlanFile(file);
  const qrs = await qrsClient(plan.source);
  const rule = await systemRules.create(qrs, {
    name: plan.policy.name, category: 'Security', type: 'Custom', ruleContext: 0, resourceFilter: 'App_*', actions: 1024, disabled: false,
    comment: 'Made in the QMC by ops', rule: '((resource.stream.name="Customers"))',
  });
  const run = await dryRun(file);
  expect(run.code).toBe(1);
  expect(run.byTenant[`${name}-t1`].policy).toMatchObject({ action: 'problem', detail: expect.stringContaining('lack resource.@Deployments = subject.name') });
  expect(run.preview.summary.problems).toBe(1);

  // The plan lets the tool manage the conditions: now a repair, not a problem.
  const managed = `${file.replace(/\.yaml$/, '')}-managed.yaml`;
  const planFile = parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(managed, stringify({ ...planFile, policy: { ...planFile.policy, manageConditions: true } }));
  const repaired = await dryRun(managed);
  expect(repaired.code).toBe(0);
  expect(repaired.byTenant[`${name}-t1`].policy).toMatchObject({ action: 'update', detail: expect.stringContaining("repair the adopted policy's conditions") });
  // The CLI closed its connection pools on the way out: a new client for the clean-up.
  await systemRules.remove(await qrsClient(plan.source), rule.id);

  // An app whose last reload failed: phase 1 would refuse to add the value that makes QSEoW distribute it.
  const failing = `${file.replace(/\.yaml$/, '')}-failing.yaml`;
  fs.writeFileSync(failing, stringify({ ...planFile, apps: [...planFile.apps, { name: 'Failed Finance', stream: 'Customers' }] }));
  const refused = await dryRun(failing);
  expect(refused.code).toBe(1);
  expect(refused.byTenant[`${name}-t1`].policy).toMatchObject({ action: 'problem', detail: expect.stringMatching(/app "Failed Finance" .* failed its last reload.*/) });
  expect(refused.byTenant[`${name}-t1`].policy.detail).toContain('its value was not added to any app');
  expect(refused.byTenant[`${name}-t1`].verify.action).toBe('problem');
}, 60_000);

test('an IdP of ours for the deployment with another token: stale, replaced create-first (before any rollout)', async () => {
  const name = uniqueName('dri');
  const tenantName = `${name}-t1`;
  const { file } = await writeNamedTenantPlan(stack.sim, stack.dir, name, [tenantName]);
  const tenant = tenantOf(file, tenantName);
  const cloud = cloudClient(tenant);
  const ours = await createMultiCloudIdp(cloud, { tenantId: (await getMe(cloud)).tenantId, description: idpDescription(tenantName, 'an-old-token'), token: 'an-old-token' });
  const run = await dryRun(file);
  expect(run.byTenant[tenantName].idp).toMatchObject({ action: 'update', detail: expect.stringContaining(ours.id) });
  expect(run.byTenant[tenantName].deployment.action).toBe('create');

  // A deployment of that name already points at another tenant: ensureDeployment would stop, so does the preview.
  await createDeployment(await hdsClient(loadPlanFile(file).source), { name: tenantName, serviceUrl: 'https://someone-else.eu.qlikcloud.com' });
  const clash = await dryRun(file);
  expect(clash.code).toBe(1);
  expect(clash.byTenant[tenantName].deployment).toMatchObject({ action: 'problem', detail: expect.stringContaining('points at https://someone-else.eu.qlikcloud.com') });
});
