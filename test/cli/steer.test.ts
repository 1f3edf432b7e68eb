/** pause, resume, retry, skip, abort and sync stop through the CLI, on the real dev server and the simulator. */
import fs from 'node:fs';
import path from 'node:path';
import { simulatorPlan, simulatorPlanYaml } from '../../src/plan/simulator-plan';
import { distributableApps, readSite } from '../../src/cli/dry-run/inspect';
import type { Simulator } from '../../src/simulator';
import type { RolloutProgress } from '../../src/workflows/messages';
import { waitFor } from '../workflows/support';
import { cli, uniqueName } from './run-cli';
import { useCliSimStack } from './sim-stack';

const NO_SPACES = 'tenant-002';
const stack = useCliSimStack('cli-steer', { tenants: 4, seed: 12, tenantsWithoutManagedSpaces: [NO_SPACES] });
const env = () => stack.env();
let sim: Simulator;
let dir: string;
beforeAll(() => { ({ sim, dir } = stack); });

/** Canary tenant-001 and tenant-002 (no managed spaces), then approval: the rollout stays open for retry/skip. */
async function writePlan(name: string): Promise<string> {
  const apps = distributableApps(simulatorPlan(sim, { name }), await readSite(simulatorPlan(sim, { name })));
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, simulatorPlanYaml(sim, { name, apps, approval: true, canarySize: 2, failureBudget: { perWave: 3, overall: 3 } }));
  return file;
}

async function progress(name: string): Promise<RolloutProgress> {
  const run = await cli(['--json', 'status', name], { env: env() });
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as RolloutProgress;
}

test('pause and resume; retry and skip a failed tenant; sync stop', async () => {
  const name = uniqueName('steer');
  const file = await writePlan(name);
  expect((await cli(['start', file], { env: env() })).code).toBe(0);
  expect((await cli(['pause', name], { env: env() })).code).toBe(0);
  expect((await progress(name)).status).toBe('paused');
  expect((await cli(['pause', name], { env: env() })).code).toBe(1); // already paused: refused, with a reason
  expect((await cli(['resume', name], { env: env() })).code).toBe(0);

  // The tenant without managed spaces fails its publish phase and waits for a person.
  const failed = await waitFor(() => progress(name), (p) => p.tenants.some((x) => x.tenant === NO_SPACES && x.status === 'failed'), 60_000);
  expect(failed.tenants.find((x) => x.tenant === NO_SPACES)).toMatchObject({ phase: 'publish', reason: expect.stringMatching(/managed space/i) });
  expect((await cli(['retry', 'tenant-001', '--rollout', name], { env: env() })).code).not.toBe(0); // not failed: refused
  expect((await cli(['retry', NO_SPACES, '--rollout', name], { env: env() })).code).toBe(0);
  // Retried, it fails the same way again (the tenant's edition still lacks managed spaces): then skip it.
  await waitFor(() => progress(name), (p) => p.tenants.some((x) => x.tenant === NO_SPACES && x.status === 'failed'), 60_000);
  const skipped = await cli(['skip', NO_SPACES, '--rollout', name, '--reason', 'edition without managed spaces'], { env: env() });
  expect({ code: skipped.code, stderr: skipped.stderr }).toEqual({ code: 0, stderr: '' });

  // The canary wave awaits approval once tenant-001 is through too (on a loaded machine it may still be running).
  await waitFor(() => progress(name), (p) => p.status === 'awaiting-approval', 60_000);
  expect((await cli(['approve', name, '--wave', 'canary'], { env: env() })).code).toBe(0);
  const done = await cli(['watch', name, '--interval', '200'], { env: env() });
  expect(done.code).toBe(0);
  const final = await progress(name);
  expect(final.status).toBe('succeeded');
  expect(final.tenants.find((x) => x.tenant === NO_SPACES)).toMatchObject({ status: 'skipped' });

  // `sync stop <tenant> --site`: other test files running beside this one have syncs of their own tenant-004 on
  // their own simulated sites, so the site is named.
  const stopped = await cli(['--json', 'sync', 'stop', 'tenant-004', '--site', sim.qrsUrl], { env: env() });
  expect(stopped.code).toBe(0);
  expect(JSON.parse(stopped.stdout)[0]).toMatchObject({ tenant: 'tenant-004', status: 'stopped' });
  expect((await cli(['sync', 'stop', 'no-such-tenant'], { env: env() })).code).toBe(2);
});

test('abort: running tenants are cancelled, nothing new starts, the rollout ends aborted', async () => {
  const name = uniqueName('abort');
  const file = await writePlan(name);
  expect((await cli(['start', file], { env: env() })).code).toBe(0);
  expect((await cli(['abort', name, '--reason', 'wrong plan'], { env: env() })).code).toBe(0);
  const final = await waitFor(() => progress(name), (p) => p.status === 'aborted', 60_000);
  expect(final.tenants.every((x) => x.status !== 'running')).toBe(true);
  expect((await cli(['resume', name], { env: env() })).code).not.toBe(0);
});
