/**
 * `sync stop TENANT` when the same tenant name is in sync on two QSEoW sites (two simulators): without --site it
 * refuses and lists the syncs; --site (QRS URL or site key) stops only that site's; --all-sites stops every one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator';
import { siteKeyOf } from '../../src/workflows/messages';
import { cli, uniqueName } from './run-cli';
import { useCliSimStack } from './sim-stack';
import { writeNamedTenantPlan } from './tenant-plan';

const stack = useCliSimStack('sync-sites', { tenants: 2, seed: 21 });
const env = () => stack.env();
let simB: Simulator;
beforeAll(async () => {
  fs.mkdirSync(path.join(stack.dir, 'secrets-b'));
  simB = await startSimulator({ tenants: 2, seed: 22, secretsDir: path.join(stack.dir, 'secrets-b') });
});
afterAll(async () => {
  await simB.stop();
});

interface Row { tenant: string; site: string; status: string }
const json = async (args: string[]): Promise<Row[]> => {
  const run = await cli(['--json', ...args], { env: env() });
  if (run.code !== 0) throw new Error(`${args.join(' ')}: exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Row[];
};

/** A stopped sync closes soon after its stop update; wait until the listing agrees. */
async function syncSites(tenant: string, expected: string[]): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    const sites = (await json(['sync', 'status', tenant]).catch(() => [] as Row[])).map((r) => r.site).sort();
    if (JSON.stringify(sites) === JSON.stringify([...expected].sort())) return;
    if (Date.now() > until) throw new Error(`${tenant}: syncs on ${sites.join(', ') || 'no site'}, expected ${expected.join(', ') || 'none'}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('sync stop picks a site: refuses when ambiguous, --site by URL or key, --all-sites', async () => {
  const prefix = uniqueName('ss');
  const [t1, t2] = [`${prefix}-t1`, `${prefix}-t2`];
  const planA = await writeNamedTenantPlan(stack.sim, stack.dir, `${prefix}-a`, [t1, t2]);
  const planB = await writeNamedTenantPlan(simB, stack.dir, `${prefix}-b`, [t1, t2]);
  for (const plan of [planA, planB]) expect((await cli(['start', plan.file], { env: env() })).code).toBe(0);
  for (const name of [`${prefix}-a`, `${prefix}-b`]) {
    const done = await cli(['watch', name, '--interval', '300'], { env: env(), signal: AbortSignal.timeout(90_000) });
    expect(done.stdout).toMatch(/succeeded/);
  }
  const siteA = siteKeyOf({ qrsUrl: stack.sim.qrsUrl });
  const siteB = siteKeyOf({ qrsUrl: simB.qrsUrl });
  expect(siteA).not.toBe(siteB);
  await syncSites(t1, [siteA, siteB]);
  await syncSites(t2, [siteA, siteB]);
  const status = await cli(['sync', 'status', t1], { env: env() });
  expect(status.stdout).toContain(`site ${siteA}`);

  // Ambiguous: a person must choose; nothing is stopped.
  const refused = await cli(['sync', 'stop', t1], { env: env() });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/--site/);
  expect(refused.stderr).toContain(siteA);
  expect(refused.stderr).toContain(siteB);
  expect((await cli(['sync', 'stop', t1, '--site', siteA, '--all-sites'], { env: env() })).code).toBe(2);
  await syncSites(t1, [siteA, siteB]);

  // --site as the plan's QRS URL: only that site's sync stops.
  const byUrl = await json(['sync', 'stop', t1, '--site', stack.sim.qrsUrl]);
  expect(byUrl).toEqual([expect.objectContaining({ tenant: t1, site: siteA, status: 'stopped' })]);
  await syncSites(t1, [siteB]);
  // Now unambiguous: the one left stops without --site; a site without that sync is an error.
  const noSuch = await cli(['sync', 'stop', t1, '--site', siteA], { env: env() });
  expect(noSuch.code).toBe(2);
  expect(noSuch.stderr).toMatch(/No running sync for tenant .* on site/);
  const byKey = await json(['sync', 'stop', t1]);
  expect(byKey).toEqual([expect.objectContaining({ tenant: t1, site: siteB })]);
  await syncSites(t1, []);

  // --all-sites: every site's sync of the tenant.
  const all = await json(['sync', 'stop', t2, '--all-sites']);
  expect(all.map((r) => r.site).sort()).toEqual([siteA, siteB].sort());
  await syncSites(t2, []);
});
