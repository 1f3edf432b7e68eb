/** pause, resume, retry, skip, abort and sync stop through the CLI, on the real dev server and the simulator. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { createActivities, closeAllPools } from '../../src/activities';
import { createLogger } from '../../src/shared/logger';
import { simulatorPlan, simulatorPlanYaml } from '../../src/plan/simulator-plan';
import { distributableApps, readSite } from '../../src/cli/dry-run/inspect';
import { startSimulator, type Simulator } from '../../src/simulator';
import type { RolloutProgress } from '../../src/workflows/messages';
import { connectTestTemporal, createTestWorker, type TestTemporal, uniqueTaskQueue } from '../helpers/temporal';
import { waitFor } from '../workflows/support';
import { cli, cliEnv, uniqueName } from './run-cli';

let t: TestTemporal;
let sim: Simulator;
let worker: Worker;
let running: Promise<void>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-steer-'));
const taskQueue = uniqueTaskQueue('cli-steer');
const env = () => cliEnv({ QLIK_ROLLOUT_TASK_QUEUE: taskQueue });
const NO_SPACES = 'tenant-002';

beforeAll(async () => {
  t = await connectTestTemporal();
  fs.mkdirSync(path.join(dir, 'secrets'));
  sim = await startSimulator({ tenants: 4, seed: 12, secretsDir: path.join(dir, 'secrets'), tenantsWithoutManagedSpaces: [NO_SPACES] });
  worker = await createTestWorker(t, { taskQueue, activities: createActivities({ logger: createLogger({ level: 'silent' }), pollIntervalMs: 100 }) });
  running = worker.run();
});
afterAll(async () => {
  worker.shutdown();
  await running;
  await sim.stop();
  await closeAllPools();
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

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

  expect((await cli(['approve', name, '--wave', 'canary'], { env: env() })).code).toBe(0);
  const done = await cli(['watch', name, '--interval', '200'], { env: env() });
  expect(done.code).toBe(0);
  const final = await progress(name);
  expect(final.status).toBe('succeeded');
  expect(final.tenants.find((x) => x.tenant === NO_SPACES)).toMatchObject({ status: 'skipped' });

  const stopped = await cli(['--json', 'sync', 'stop', 'tenant-001'], { env: env() });
  expect(stopped.code).toBe(0);
  expect(JSON.parse(stopped.stdout)[0]).toMatchObject({ tenant: 'tenant-001', status: 'stopped' });
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
