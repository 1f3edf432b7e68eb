/**
 * A scheduled rollout targets only tenants not yet migrated (default --only-new): after a rollout migrated two
 * tenants, the plan grows a third, and a triggered scheduled run migrates only that one, passes the canary wave
 * whose tenant was migrated already without waiting for approval, and says how many it skipped.
 */
import { checkMigrated } from '../../src/cli/demo/check';
import { colours } from '../../src/cli/io';
import { renderProgress } from '../../src/cli/progress-view';
import { loadPlanFile } from '../../src/plan/load';
import { workflowIds, type RolloutProgress } from '../../src/workflows/messages';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { cli, uniqueName } from './run-cli';
import { useCliSimStack } from './sim-stack';
import { writeNamedTenantPlan } from './tenant-plan';

const stack = useCliSimStack('sched-new', { tenants: 3, seed: 31 });
const env = () => stack.env();
let t: TestTemporal;
beforeAll(async () => { t = await connectTestTemporal(); });
afterAll(async () => { await t.close(); });

test('schedule create (only new by default): a triggered run migrates only the tenant added since', async () => {
  const name = uniqueName('sched');
  const names = [`${name}-t1`, `${name}-t2`, `${name}-t3`];
  // Night 1 (a plain start): two tenants.
  const first = await writeNamedTenantPlan(stack.sim, stack.dir, name, names.slice(0, 2));
  expect((await cli(['start', first.file], { env: env() })).code).toBe(0);
  expect((await cli(['watch', name, '--interval', '300'], { env: env(), signal: AbortSignal.timeout(90_000) })).code).toBe(0);

  // The plan grows a third tenant; its canary holds only the migrated t1 (approval would block an unattended run).
  const grown = await writeNamedTenantPlan(stack.sim, stack.dir, name, names, [
    { name: 'canary', tenants: [names[0]], approval: true },
    { name: 'rest', tenants: ['*'] },
  ]);
  const scheduleId = `qlik-rollout-${name}`;
  const created = await cli(['schedule', 'create', grown.file, '--every', '12h'], { env: env() });
  expect(created.code).toBe(0);
  expect(created.stdout).toMatch(/tenants not yet migrated/);
  try {
    expect((await cli(['schedule', 'describe', scheduleId], { env: env() })).stdout).toMatch(/tenants: only new/);
    expect((await cli(['schedule', 'trigger', scheduleId], { env: env() })).code).toBe(0);
    // A scheduled run's workflow id is the schedule's action id plus the start time: read it from the schedule.
    const until = Date.now() + 30_000;
    let runId: string | undefined;
    while (!runId) {
      const described = JSON.parse((await cli(['--json', 'schedule', 'describe', scheduleId], { env: env() })).stdout) as { recent: Array<{ workflowId: string }> };
      runId = described.recent[0]?.workflowId;
      if (!runId && Date.now() > until) throw new Error('the schedule started no rollout');
      if (!runId) await new Promise((r) => setTimeout(r, 200));
    }
    const scheduled = t.client.workflow.getHandle(runId);
    const progress = (await scheduled.result()) as RolloutProgress;
    expect(progress).toMatchObject({ status: 'succeeded', alreadyMigrated: 2 });
    // The result lists exceptions only; the already migrated are counted, not listed; the waves count them as skipped.
    expect(progress.tenants).toEqual([]);
    expect(progress.waves.map((w) => [w.name, w.counts.skipped, w.counts.succeeded])).toEqual([['canary', 1, 0], ['rest', 1, 1]]);
    // Only t3 got a tenant workflow in this run (t1/t2 kept the first run's).
    const t3 = await t.client.workflow.getHandle(workflowIds.tenant(name, names[2])).describe();
    expect(t3.startTime.getTime()).toBeGreaterThan((await scheduled.describe()).startTime.getTime());
    const t1 = await t.client.workflow.getHandle(workflowIds.tenant(name, names[0])).describe();
    expect(t1.startTime.getTime()).toBeLessThan((await scheduled.describe()).startTime.getTime());
    expect(renderProgress(progress, colours({ stdout: { write: () => true }, stderr: { write: () => true }, env: { NO_COLOR: '1' } }))).toMatch(/2 tenant\(s\) already migrated/);
    // The simulator knows its tenants by its own names: check the plan's tenants under those.
    const plan = loadPlanFile(grown.file);
    const asSimulated = { ...plan, tenants: plan.tenants.map((entry, i) => ({ ...entry, name: stack.sim.tenants[i].name, managedSpace: `${entry.name} Analytics` })) };
    expect(checkMigrated(asSimulated, stack.sim.dump()).filter((c) => !c.ok)).toEqual([]);

    // --all-tenants: every tenant again (the schedule is updated in place).
    const all = await cli(['schedule', 'create', grown.file, '--every', '12h', '--all-tenants'], { env: env() });
    expect(all.stdout).toMatch(/Updated schedule .* every tenant/);
    expect((await cli(['schedule', 'describe', scheduleId], { env: env() })).stdout).toMatch(/tenants: all/);
    expect((await cli(['schedule', 'create', grown.file, '--only-new', '--all-tenants'], { env: env() })).code).toBe(2);
  } finally {
    await cli(['schedule', 'delete', scheduleId], { env: env() });
  }
});
