#!/usr/bin/env node
/**
 * qlik-rollout: the command line of the rollout engine. `runCli` takes its world (streams, env, stop signal)
 * as arguments so tests run it in-process; the bottom of the file wires it to the real process.
 */
import { Command, CommanderError, Option } from 'commander';
import { approveCommand, steerCommand, tenantCommand } from './commands/steer';
import { listCommand, startCommand, statusCommand, watchCommand } from './commands/rollout';
import { scheduleActionCommand, scheduleCreateCommand, scheduleListCommand, type ScheduleAction } from './commands/schedule';
import { syncStatusCommand, syncStopCommand } from './commands/sync';
import { validateCommand } from './commands/validate';
import { dryRunCommand } from './commands/dry-run';
import { doctorCommand, type DoctorCommandOptions } from './commands/doctor';
import { simulatorCommand, workerCommand, type SimulatorCommandOptions } from './commands/processes';
import { demoCommand } from './demo/command';
import { lineReader } from './demo/terminal';
import { CommandContext, type GlobalOptions } from './context';
import { CliError, ExitCode, type CliIo } from './io';

const EPILOG = `
Connection: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
TEMPORAL_PROFILE (see the temporal CLI's env config). QLIK_ROLLOUT_TASK_QUEUE or --task-queue picks the workers.
Exit codes: 0 success, 1 failure, 2 bad input (invalid plan, unknown rollout, wrong arguments).`;

type Action = (ctx: CommandContext, ...args: never[]) => Promise<number> | number;

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('qlik-rollout')
    .description('Move QSEoW apps to Qlik Cloud tenants with durable Temporal workflows, tenant by tenant, and keep them in sync.')
    .option('--json', 'machine-readable output for scripts')
    .option('--profile <name>', 'Temporal env-config profile')
    .addOption(new Option('--task-queue <name>', 'task queue of the workers').env('QLIK_ROLLOUT_TASK_QUEUE'))
    .addHelpText('after', EPILOG)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  // Every action gets a context with the global options and closes its connection when it is done.
  const run = (action: Action) =>
    async function (this: Command, ...args: unknown[]) {
      const ctx = new CommandContext(io, this.optsWithGlobals<GlobalOptions>());
      try {
        // Commander passes (arguments..., options, command); actions take what they need.
        setExit(await (action as (ctx: CommandContext, ...a: unknown[]) => Promise<number> | number)(ctx, ...args));
      } finally {
        await ctx.close();
      }
    };
  const cmd = (parent: Command, spec: string, description: string) =>
    parent.command(spec).description(description).exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  cmd(program, 'validate <plan>', 'check a plan file (YAML or JSON) and summarize it; nothing is contacted')
    .action(run((ctx, plan: string) => validateCommand(ctx, plan)));
  cmd(program, 'plan <plan>', 'dry run: read QSEoW and every tenant and show what each phase would create or change')
    .option('--tenant <name...>', 'only these tenants')
    .action(run((ctx, plan: string, o: { tenant?: string[] }) => dryRunCommand(ctx, plan, o.tenant)));
  cmd(program, 'doctor <plan>', 'read-only checks of the QSEoW site and each tenant against the plan, one per Qlik assumption; exit 1 if something would break the rollout')
    .option('--tenant <name...>', 'only these tenants')
    .option('--no-selection', 'skip check A2 (it makes and deletes an in-memory QRS selection)')
    .action(run((ctx, plan: string, o: DoctorCommandOptions) => doctorCommand(ctx, plan, o)));
  cmd(program, 'start <plan>', 'start the rollout of a plan (a second start reports the running one)')
    .action(run((ctx, plan: string) => startCommand(ctx, plan)));
  cmd(program, 'status [rollout]', 'progress of a rollout (id or plan file; default: the one running)')
    .action(run((ctx, rollout?: string) => statusCommand(ctx, rollout)));
  cmd(program, 'watch [rollout]', 'live progress until the rollout ends (exit 0 if it succeeded)')
    .option('--interval <ms>', 'refresh interval', '1000')
    .action(run((ctx, rollout: string | undefined, o: { interval: string }) => watchCommand(ctx, rollout, { intervalMs: Number(o.interval) })));
  for (const [action, description] of [
    ['pause', 'pause a rollout: no new tenants start, running phases stop at the next phase boundary'],
    ['resume', 'resume a paused or halted rollout'],
    ['abort', 'abort a rollout: running tenants are cancelled, nothing new starts'],
  ] as const) {
    const c = cmd(program, `${action} [rollout]`, description);
    if (action !== 'resume') c.option('--reason <text>', 'why (shown in status and the Web UI)');
    c.action(run((ctx, rollout: string | undefined, o: { reason?: string }) => steerCommand(ctx, action, rollout, o.reason)));
  }
  cmd(program, 'approve [rollout]', 'approve the wave waiting for approval so the next wave starts')
    .option('--wave <name>', 'the wave to approve (default: the one waiting)')
    .action(run((ctx, rollout: string | undefined, o: { wave?: string }) => approveCommand(ctx, rollout, o.wave)));
  cmd(program, 'retry <tenant>', 're-run the failed phase of a tenant (and the phases after it)')
    .option('--rollout <id>', 'rollout id or plan file (default: the one running)')
    .action(run((ctx, tenant: string, o: { rollout?: string }) => tenantCommand(ctx, 'retry', tenant, o.rollout)));
  cmd(program, 'skip <tenant>', 'give up on a tenant: it counts as skipped, not failed')
    .option('--rollout <id>', 'rollout id or plan file (default: the one running)')
    .option('--reason <text>', 'why')
    .action(run((ctx, tenant: string, o: { rollout?: string; reason?: string }) => tenantCommand(ctx, 'skip', tenant, o.rollout, o.reason)));
  cmd(program, 'list', 'rollouts (visibility query on the project\'s search attributes)')
    .option('--running', 'only running ones')
    .option('--limit <n>', 'at most n rows', '50')
    .action(run((ctx, o: { running?: boolean; limit: string }) => listCommand(ctx, { running: o.running, limit: Number(o.limit) })));

  const sync = cmd(program, 'sync', 'the reload sync of migrated tenants');
  cmd(sync, 'status [tenants...]', 'sync state per tenant (default: every tenant in sync)')
    .option('--site <site>', 'only this QSEoW site: its QRS URL or site key')
    .action(run((ctx, tenants: string[], o: { site?: string }) => syncStatusCommand(ctx, tenants, o)));
  cmd(sync, 'stop [tenants...]', 'stop keeping tenants in sync (on one QSEoW site: a tenant on several sites needs --site or --all-sites)')
    .option('--all', 'every tenant')
    .option('--site <site>', 'only the syncs of this QSEoW site: its QRS URL or site key (shown by sync status)')
    .option('--all-sites', 'on every QSEoW site the tenants are in sync on')
    .action(run((ctx, tenants: string[], o: { all?: boolean; site?: string; allSites?: boolean }) => syncStopCommand(ctx, tenants, o)));

  const schedule = cmd(program, 'schedule', 'Temporal Schedules of rollouts, e.g. every night for the tenants not yet migrated');
  cmd(schedule, 'create <plan>', 'schedule the plan\'s rollout (default: nightly at 02:00 UTC); updates an existing one')
    .option('--cron <expr>', 'cron expression, e.g. "0 2 * * *"')
    .option('--every <duration>', 'interval instead of cron, e.g. 6h')
    .option('--id <scheduleId>', 'schedule id (default qlik-rollout-<plan name>)')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'note shown with the schedule')
    .option('--only-new', 'each run skips tenants migrated already and says how many (the default)')
    .option('--all-tenants', 'each run re-runs every tenant of the plan (re-verifies and repairs migrated ones)')
    .action(run((ctx, plan: string, o: Record<string, string | boolean | undefined>) => scheduleCreateCommand(ctx, plan, o)));
  cmd(schedule, 'list', 'rollout schedules').action(run((ctx) => scheduleListCommand(ctx)));
  for (const [action, description] of [
    ['describe', 'show a schedule: spec, recent and next runs'],
    ['pause', 'pause a schedule'],
    ['unpause', 'unpause a schedule'],
    ['trigger', 'run a schedule now'],
    ['delete', 'delete a schedule (running rollouts continue)'],
  ] as const) {
    const c = cmd(schedule, `${action} <scheduleId>`, description);
    if (action === 'pause' || action === 'unpause') c.option('--note <text>', 'why');
    c.action(run((ctx, id: string, o: { note?: string }) => scheduleActionCommand(ctx, action as ScheduleAction, id, o.note)));
  }

  cmd(program, 'worker', 'run a worker (phase activities + workflows) until Ctrl-C')
    .action(run((ctx) => workerCommand(ctx)));
  cmd(program, 'simulator', 'run the Qlik simulator (QSEoW + Qlik Cloud tenants) until Ctrl-C')
    .option('--tenants <n>', 'number of tenants', '25')
    .option('--port <n>', 'port (default: a free one)')
    .option('--seed <n>', 'seed of ids and faults')
    .option('--plan <file>', 'write a plan for the simulated site to this file (only apps that pass verification)')
    .option('--include-failing-apps', 'with --plan: also plan the seeded apps that fail verification (unpublished, failed reload, too large), to see failures on purpose')
    .option('--variant <KEY=VALUE>', 'simulator variant where Qlik documents nothing, e.g. copy-id=same (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .addHelpText('after', '\nMore options pass through to the simulator: --secrets-dir <dir>, --distribution-delay <ms>, --no-rate-limits, --without-managed-spaces <names>.')
    .allowUnknownOption()
    .action(run((ctx, o: SimulatorCommandOptions, command: Command) => simulatorCommand(ctx, o, command.args)));
  cmd(program, 'demo', 'a complete rollout on the built-in simulator with a local Temporal dev server and Web UI')
    .option('--unattended', 'approve the canary wave automatically and exit 0 only when every tenant is migrated and synced')
    .option('--tenants <n>', 'number of simulated tenants', '25')
    .option('--dir <path>', 'where the dev server keeps its state', '.demo')
    .action(run((ctx, o: { unattended?: boolean; tenants: string; dir: string }) => demoCommand(ctx, { unattended: Boolean(o.unattended), tenants: Number(o.tenants), dir: o.dir })));
  return program;
}

/** Runs the CLI; resolves to the exit code. Errors become one message on stderr, never a stack trace. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error.
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.help' ? ExitCode.Ok : ExitCode.BadInput;
    }
    if (err instanceof CliError) {
      io.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`error: ${(err as Error).message ?? String(err)}\n`);
    if (io.env.QLIK_ROLLOUT_DEBUG) io.stderr.write(`${(err as Error).stack}\n`);
    return ExitCode.Failure;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    // First Ctrl-C: stop cleanly; second: stop now.
    if (++interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Only a person at a terminal is asked; each read pauses stdin again, so nothing keeps the process alive.
  const readLine = process.stdin.isTTY ? lineReader(process.stdin, controller.signal) : undefined;
  void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal, readLine }).then((code) => {
    process.exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}
