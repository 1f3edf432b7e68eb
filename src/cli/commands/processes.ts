/** worker and simulator: long-running processes that stop cleanly on Ctrl-C (the io's stop signal). */
import fs from 'node:fs';
import path from 'node:path';
import { createActivities } from '../../activities';
import { createLogger } from '../../shared/logger';
import { runWorkerProcess } from '../../worker/main';
import { simulatorPlan, simulatorPlanYaml, type SimulatorPlanOptions, type SimulatorPlanSource } from '../../plan/simulator-plan';
import { distributableApps, readSite } from '../dry-run/inspect';
import { runSimulatorCli } from '../../simulator';
import { CommanderError } from 'commander';
import type { CommandContext } from '../context';
import { BadInputError, type CliIo, ExitCode } from '../io';

function untilStopped(io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    if (!io.signal || io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The production worker (src/worker/main.ts) with the phase activities, in this process. */
export async function workerCommand(ctx: CommandContext): Promise<number> {
  const env: Record<string, string | undefined> = { ...ctx.io.env, ...(ctx.options.taskQueue ? { QLIK_ROLLOUT_TASK_QUEUE: ctx.options.taskQueue } : {}) };
  const logger = createLogger({ level: env.LOG_LEVEL, name: 'qlik-rollout-worker' });
  const worker = await runWorkerProcess({ env, activities: createActivities({ logger }), logger, handleSignals: false });
  ctx.io.stderr.write(`Worker polling task queue ${worker.taskQueue} in namespace ${worker.namespace}; metrics at ${worker.metricsUrl}. Ctrl-C stops it.\n`);
  await Promise.race([untilStopped(ctx.io), worker.finished]);
  worker.shutdown();
  await worker.finished;
  return ExitCode.Ok;
}

export interface SimulatorCommandOptions {
  tenants: string;
  port?: string;
  seed?: string;
  plan?: string;
  includeFailingApps?: boolean;
  variant?: string[];
}

/**
 * The apps of a plan for the simulator: by default only those that pass verification (read from the site, as the
 * verify phase does: published, last reload succeeded, within the size limit), so the plan can succeed; with
 * includeFailingApps every seeded app, to watch verification fail on purpose.
 */
async function simulatorPlanApps(sim: SimulatorPlanSource, includeFailingApps: boolean): Promise<SimulatorPlanOptions> {
  if (includeFailingApps) return { includeFailingApps: true };
  const candidates = simulatorPlan(sim, { includeFailingApps: true });
  return { apps: distributableApps(candidates, await readSite(candidates)) };
}

/**
 * The Qlik simulator on its own (the simulator's CLI entry), e.g. to try `plan` and `start` by hand; with --plan
 * it also writes a plan for the simulated site. Options not listed here pass through to the simulator. It makes
 * the directories it writes to; a start that fails leaves no port bound and exits non-zero.
 */
export async function simulatorCommand(ctx: CommandContext, o: SimulatorCommandOptions, extra: string[] = []): Promise<number> {
  if (o.includeFailingApps && !o.plan) throw new BadInputError('simulator: --include-failing-apps only makes sense with --plan <file>.');
  const secretsDir = path.resolve(o.plan ? path.dirname(o.plan) : '.sim', 'secrets');
  const args = [
    '--tenants', o.tenants, '--secrets-dir', secretsDir, ...(o.port ? ['--port', o.port] : []), ...(o.seed ? ['--seed', o.seed] : []),
    ...(o.variant ?? []).flatMap((v) => ['--variant', v]), ...extra,
  ];
  let handle: Awaited<ReturnType<typeof runSimulatorCli>>;
  try {
    handle = await runSimulatorCli(args, (line) => ctx.io.stdout.write(`${line}\n`));
  } catch (err) {
    if (err instanceof CommanderError) throw new BadInputError(`simulator: ${err.message.replace(/^error: /, '')}`);
    throw err;
  }
  try {
    if (o.plan) {
      const apps = await simulatorPlanApps(handle.simulator, Boolean(o.includeFailingApps));
      fs.mkdirSync(path.dirname(path.resolve(o.plan)), { recursive: true });
      fs.writeFileSync(o.plan, simulatorPlanYaml(handle.simulator, { approval: true, ...apps }));
      const planned = simulatorPlan(handle.simulator, apps).apps.map((a) => a.name);
      ctx.io.stdout.write(`Plan written to ${o.plan} (apps: ${planned.join(', ')}${o.includeFailingApps ? '; some fail verification on purpose' : ''}): try \`qlik-rollout plan ${o.plan}\` and \`qlik-rollout start ${o.plan}\`\n`);
    }
    ctx.io.stdout.write('Ctrl-C stops it.\n');
    await Promise.race([untilStopped(ctx.io), handle.done]);
  } finally {
    await handle.simulator.stop().catch(() => undefined);
  }
  return ExitCode.Ok;
}
