/**
 * `qlik-rollout demo`: the whole story on one machine. Temporal dev server (with Web UI, state in .demo/),
 * the Qlik simulator, a plan for it, a worker in this process, the rollout with its live display, the canary
 * approval (Enter, or automatic with --unattended), a reload on QSEoW that every tenant must pick up, and a
 * check against the simulator's own state. Ctrl-C stops everything it started.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../devserver/dev-server';
import { freePort } from '../../devserver/free-port';
import { resolveTemporalCli } from '../../devserver/temporal-cli';
import { loadPlanFile } from '../../plan/load';
import { simulatorPlan, simulatorPlanYaml } from '../../plan/simulator-plan';
import { distributableApps, readSite } from '../dry-run/inspect';
import type { RolloutPlan } from '../../plan/types';
import { startSimulator } from '../../simulator';
import type { Simulator } from '../../simulator/api';
import { workflowIds } from '../../workflows/messages';
import { startCommand, watchCommand, readProgress } from '../commands/rollout';
import { approveCommand } from '../commands/steer';
import { describePlan } from '../commands/validate';
import { workflowUiUrl } from '../connection';
import { CommandContext } from '../context';
import { CliError, colours, ExitCode, pause, type CliIo } from '../io';
import { checkCustomerSees, checkMigrated, describeMembers } from './check';
import { ResourceStack } from './stack';
import { waitForSync } from './sync-wait';
import { untilEnterOrStop } from './terminal';
import { startDemoWorker } from './worker';

export interface DemoOptions {
  unattended: boolean;
  tenants: number;
  dir: string;
}

const DEMO_ROLLOUT = 'demo';
const DEMO_TASK_QUEUE = 'qlik-rollout-demo';
const DEMO_SEED = 2026;
/** An unattended demo that is not done by then has a problem worth a non-zero exit. */
const UNATTENDED_DEADLINE_MS = 10 * 60_000;

class Interrupted extends Error {}

/** 7233/8233 when free (the addresses people know), else any free ports. */
async function preferredPort(port: number): Promise<number> {
  const net = await import('node:net');
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  return free ? port : freePort();
}

/** Workflows still running from an earlier demo in the same .demo/ state would poll a simulator that is gone. */
async function terminateLeftovers(client: Client): Promise<number> {
  let count = 0;
  for await (const wf of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
    await client.workflow.getHandle(wf.workflowId, wf.runId).terminate('left over from an earlier demo').catch(() => undefined);
    count += 1;
  }
  return count;
}

export async function demoCommand(ctx: CommandContext, options: DemoOptions): Promise<number> {
  const { io } = ctx;
  const c = colours(io);
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(1)}s`;
  const say = (line = '') => io.stdout.write(`${line}\n`);
  const step = (n: number, text: string) => say(`\n${c.bold(`[${n}/7]`)} ${text} ${c.dim(`(${elapsed()})`)}`);
  const checkStop = () => {
    if (io.signal?.aborted) throw new Interrupted();
  };
  if (!Number.isInteger(options.tenants) || options.tenants < 2 || options.tenants > 2000) {
    throw new CliError('--tenants must be a whole number from 2 to 2000.', ExitCode.BadInput);
  }
  const dir = path.resolve(options.dir);
  fs.mkdirSync(dir, { recursive: true });
  const stack = new ResourceStack();
  let uiUrl: string | undefined;
  try {
    say(c.bold(`qlik-rollout demo: ${options.tenants} simulated Qlik Cloud tenants${options.unattended ? ', unattended' : ''}`));
    step(1, 'Temporal dev server with Web UI');
    const cli = resolveTemporalCli({ log: (line) => say(`  ${line}`) });
    const server: DevServer = await startDevServer({
      port: await preferredPort(7233),
      uiPort: await preferredPort(8233),
      dbFilename: path.join(dir, 'temporal.db'),
      log: (line) => say(`  ${line}`),
    });
    stack.push('Temporal dev server', () => server.stop());
    say(`  ${c.dim(`${cli}; state in ${path.join(dir, 'temporal.db')}`)}`);
    const demoIo: CliIo = {
      ...io,
      env: { ...io.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, TEMPORAL_UI_URL: server.uiUrl, TEMPORAL_API_KEY: undefined, TEMPORAL_PROFILE: undefined },
    };
    const demo = new CommandContext(demoIo, { taskQueue: DEMO_TASK_QUEUE });
    stack.push('Temporal client', () => demo.close());
    const { client, settings } = await demo.temporal();
    const leftovers = await terminateLeftovers(client);
    if (leftovers > 0) say(`  terminated ${leftovers} workflow(s) left running by an earlier demo`);
    checkStop();

    step(2, 'Qlik simulator (QSEoW site + Qlik Cloud tenants, real HTTP)');
    const secretsDir = path.join(dir, 'secrets');
    fs.mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
    const sim: Simulator = await startSimulator({ tenants: options.tenants, seed: DEMO_SEED, secretsDir });
    stack.push('Qlik simulator', () => sim.stop());
    say(`  QSEoW ${sim.qrsUrl}; tenants ${sim.tenants[0].url} ... ${sim.tenants[sim.tenants.length - 1].url}`);
    checkStop();

    step(3, 'Rollout plan for the simulated site');
    const planFile = path.join(dir, 'plan.yaml');
    // The simulator also seeds apps that must fail verification (a failed reload...): plan the ones that pass.
    const apps = distributableApps(simulatorPlan(sim, { name: DEMO_ROLLOUT }), await readSite(simulatorPlan(sim, { name: DEMO_ROLLOUT })));
    fs.writeFileSync(planFile, simulatorPlanYaml(sim, { name: DEMO_ROLLOUT, approval: true, apps, customerAccess: true }));
    const plan: RolloutPlan = loadPlanFile(planFile);
    say(`  ${planFile}\n${describePlan(plan).replace(/^/gm, '  ')}`);

    step(4, 'Worker (workflows + the six phase activities) in this process');
    const worker = await startDemoWorker({ address: server.address, namespace: server.namespace, taskQueue: DEMO_TASK_QUEUE, dir });
    stack.push('worker', () => worker.stop());
    say(`  task queue ${DEMO_TASK_QUEUE}; activity logs in ${worker.logFile}`);
    checkStop();

    step(5, 'Rollout');
    uiUrl = workflowUiUrl(settings, workflowIds.rollout(plan.name));
    // Short retries: the simulator's faults clear in seconds, and a person is watching.
    await startCommand(demo, planFile, { workflowOptions: { activityRetry: { initialIntervalMs: 500, maximumIntervalMs: 5_000 }, tenantActionTimeoutMs: 60_000 } });
    const stopAt = (p: { status: string }) => p.status === 'awaiting-approval' || p.status === 'halted';
    await watchCommand(demo, plan.name, { intervalMs: 500, until: stopAt });
    checkStop();
    let progress = await readProgress(client.workflow.getHandle(workflowIds.rollout(plan.name)), plan.name);
    if (progress.status === 'awaiting-approval') {
      const wave = progress.waves.find((w) => w.status === 'awaiting-approval')?.name ?? 'canary';
      if (!options.unattended && io.readLine) {
        say(c.cyan(`\n  Wave "${wave}" is done. Look at it in the Web UI (${uiUrl}), then press Enter to approve the next wave.`));
        await untilEnterOrStop(io);
        checkStop();
      } else {
        say(c.cyan(`\n  Wave "${wave}" is done; approving it${options.unattended ? ' (--unattended)' : ' (no terminal to ask)'}.`));
        await pause(1_000, io.signal);
      }
      await approveCommand(demo, plan.name, wave);
      await watchCommand(demo, plan.name, { intervalMs: 500, until: (p) => p.status === 'halted' });
      checkStop();
      progress = await readProgress(client.workflow.getHandle(workflowIds.rollout(plan.name)), plan.name);
    }
    if (progress.status !== 'succeeded') throw new CliError(`The rollout ended ${progress.status}${progress.reason ? `: ${progress.reason}` : ''}. See ${uiUrl}`);

    step(6, 'Reload on QSEoW: every tenant gets the new version in place (sync phase)');
    const reloads = await Promise.all(plan.apps.map(async (app) => ({ app: app.name, ...(await sim.reloadApp(app.name)) })));
    for (const r of reloads) say(`  reloaded "${r.app}" on QSEoW at ${r.lastReloadTime}`);
    const deadline = options.unattended ? began + UNATTENDED_DEADLINE_MS : Number.POSITIVE_INFINITY;
    await waitForSync(client, plan, reloads, { io: demoIo, deadline });
    checkStop();

    step(7, 'Check against the simulator\'s own state');
    const checks = checkMigrated(plan, sim.dump());
    const bad = checks.filter((t) => !t.ok);
    for (const t of bad.slice(0, 10)) say(c.red(`  ${t.tenant}: ${t.problems.join('; ')}`));
    if (bad.length > 0) throw new CliError(`${bad.length} of ${checks.length} tenants are not migrated and in sync.`);
    say(c.green(`  ${checks.length}/${checks.length} tenants: exactly one copy of each app, in the managed space, with the latest reload.`));
    const members = await describeMembers(plan, plan.tenants[0].name);
    say(`  Members of ${plan.tenants[0].name}'s managed space: ${members.length > 0 ? members.join('; ') : 'none'}`);
    const sees = await checkCustomerSees(plan);
    const blind = sees.filter((t) => !t.ok);
    for (const t of blind.slice(0, 10)) say(c.red(`  ${t.tenant}: ${t.problems.join('; ')}`));
    if (blind.length > 0) throw new CliError(`${blind.length} of ${sees.length} tenants: a customer user does not see the published apps.`);
    say(c.green(`  ${sees.length}/${sees.length} tenants: a customer user sees the app.`));
    say(`\n${c.bold('Done')} in ${elapsed()}. Web UI: ${uiUrl}`);
    if (!options.unattended && io.readLine) {
      say('The servers keep running so you can explore the Web UI; press Enter (or Ctrl-C) to stop them.');
      await untilEnterOrStop(io);
    }
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof Interrupted || io.signal?.aborted) {
      say('\nInterrupted: stopping everything the demo started.');
      return 130;
    }
    throw err;
  } finally {
    say(c.dim('Shutting down:'));
    await stack.closeAll((line) => say(c.dim(line)));
  }
}
