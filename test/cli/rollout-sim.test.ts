import fs from 'node:fs';
import path from 'node:path';
import { simulatorPlan, simulatorPlanYaml } from '../../src/plan/simulator-plan';
import { distributableApps, readSite } from '../../src/cli/dry-run/inspect';
import type { Simulator } from '../../src/simulator';
import { checkMigrated } from '../../src/cli/demo/check';
import { cli, uniqueName } from './run-cli';
import { useCliSimStack } from './sim-stack';

const stack = useCliSimStack('cli-sim', { tenants: 4, seed: 11 });
const env = () => stack.env();
let sim: Simulator;
let dir: string;
beforeAll(() => { ({ sim, dir } = stack); });

test('plan (dry run), start, status, approve, watch, sync status against the simulator', async () => {
  const name = uniqueName('sim');
  const apps = distributableApps(simulatorPlan(sim, { name }), await readSite(simulatorPlan(sim, { name })));
  const file = path.join(dir, 'plan.yaml');
  fs.writeFileSync(file, simulatorPlanYaml(sim, { name, approval: true, apps }));

  const before = sim.dump();
  const dry = await cli(['--json', 'plan', file], { env: env() });
  expect(dry.code).toBe(0);
  const preview = JSON.parse(dry.stdout);
  expect(preview.tenants).toHaveLength(4);
  expect(preview.tenants[0].phases.map((p: { phase: string; action: string }) => `${p.phase}:${p.action}`)).toEqual(
    expect.arrayContaining(['deployment:create', 'idp:create', 'verify:unchanged']),
  );
  expect(sim.dump()).toEqual(before); // the dry run wrote nothing

  expect((await cli(['start', file], { env: env() })).code).toBe(0);
  const waited = await cli(['watch', name, '--interval', '200'], { env: env(), signal: AbortSignal.timeout(10_000) });
  // Watch ends only when the rollout ends; the canary approval keeps it waiting, so approve from here.
  expect(waited.stdout).toMatch(/Rollout/);
  const status = await cli(['status', name], { env: env() });
  expect(status.stdout).toMatch(/awaiting approval/);
  expect(status.stdout).toMatch(/qlik-rollout approve/);
  expect((await cli(['approve', name, '--wave', 'nope'], { env: env() })).code).toBe(1);
  expect((await cli(['approve', name], { env: env() })).stdout).toMatch(/Approved wave "canary"/);
  const done = await cli(['watch', name, '--interval', '200'], { env: env() });
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(/succeeded/);
  const plan = simulatorPlan(sim, { name, apps });
  expect(checkMigrated(plan, sim.dump()).every((c) => c.ok)).toBe(true);
  const sync = JSON.parse((await cli(['--json', 'sync', 'status', sim.tenants[0].name], { env: env() })).stdout);
  expect(sync[0]).toMatchObject({ tenant: sim.tenants[0].name });
});
