/**
 * Temporal Schedules of rollouts, e.g. a nightly run of a plan. Each scheduled run starts rolloutWorkflow with the
 * plan and, by default, `onlyNew`: tenants migrated already (their tenant workflow of this rollout succeeded, or
 * their sync on this site runs) are skipped, so a night with two tenants added to the plan runs those two, and
 * the run's result says how many it skipped. `--all-tenants` re-runs every tenant instead (the phases read before
 * they write, so migrated ones are only re-verified and repaired).
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type ScheduleDescription, type ScheduleHandle, type ScheduleOptions, type ScheduleSpec } from '@temporalio/client';
import { parseDuration } from '../../plan/schema';
import { RolloutIdKey } from '../../shared/search-attributes';
import { rolloutSummary } from '../../workflows/details';
import { workflowIds, type RolloutInput } from '../../workflows/messages';
import { type CommandContext, loadPlanOrExit } from '../context';
import { BadInputError, ExitCode, printResult } from '../io';
import { ROLLOUT_WORKFLOW } from './rollout';

export const scheduleIdFor = (rolloutId: string) => `qlik-rollout-${rolloutId}`;

export interface ScheduleCreateOptions {
  cron?: string;
  every?: string;
  id?: string;
  paused?: boolean;
  note?: string;
  /** Skip tenants migrated already (default true; commander's --no-only-new / --all-tenants set false). */
  onlyNew?: boolean;
  allTenants?: boolean;
}

function scheduleSpec(options: ScheduleCreateOptions): ScheduleSpec {
  if (options.cron && options.every) throw new BadInputError('Give --cron or --every, not both.');
  if (options.every) {
    try {
      return { intervals: [{ every: parseDuration(options.every) }] };
    } catch {
      throw new BadInputError(`--every ${options.every}: expected a duration like 30m, 6h or 1d.`);
    }
  }
  const cron = options.cron ?? '0 2 * * *';
  if (cron.trim().split(/\s+/).length !== 5 && !cron.startsWith('@')) {
    throw new BadInputError(`--cron "${cron}": expected five fields (minute hour day-of-month month day-of-week), e.g. "0 2 * * *".`);
  }
  return { cronExpressions: [cron] };
}

export async function scheduleCreateCommand(ctx: CommandContext, planFile: string, options: ScheduleCreateOptions): Promise<number> {
  const plan = loadPlanOrExit(planFile);
  const spec = scheduleSpec(options);
  const { client, settings } = await ctx.temporal();
  const scheduleId = options.id ?? scheduleIdFor(plan.name);
  if (options.onlyNew === true && options.allTenants) throw new BadInputError('Give --only-new or --all-tenants, not both.');
  const onlyNew = options.onlyNew !== false && !options.allTenants;
  const input: RolloutInput = { rolloutId: plan.name, plan, ...(onlyNew ? { options: { onlyNew: true } } : {}) };
  const schedule: ScheduleOptions = {
    scheduleId,
    spec,
    action: {
      type: 'startWorkflow',
      workflowType: ROLLOUT_WORKFLOW,
      workflowId: workflowIds.rollout(plan.name),
      taskQueue: settings.taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: RolloutIdKey, value: plan.name }],
      staticSummary: `${rolloutSummary(plan, { onlyNew })}; started by schedule ${scheduleId}`,
      // The spec as written (the server keeps cron as calendars), shown by `schedule describe`; updatable, unlike the schedule's memo.
      memo: { when: options.every ? `every ${options.every}` : `cron ${spec.cronExpressions?.[0]}`, tenants: onlyNew ? 'only new' : 'all' },
    },
    // A run still going when the next is due is left alone: the next night picks up what is left.
    policies: { overlap: 'SKIP', catchupWindow: '1h' },
    state: { paused: options.paused ?? false, note: options.note ?? `qlik-rollout plan ${plan.name}` },
  };
  let created = true;
  try {
    await client.schedule.create(schedule);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    // Idempotent: the schedule exists, so bring it in line with the plan and the options given.
    created = false;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action: schedule.action, state: { ...previous.state, note: schedule.state?.note } }));
  }
  printResult(ctx.io, ctx.options, { scheduleId, created, updated: !created, spec, onlyNew }, () =>
    `${created ? 'Created' : 'Updated'} schedule ${scheduleId}: ${spec.cronExpressions ? `cron "${spec.cronExpressions[0]}"` : `every ${options.every}`}, runs rollout ${plan.name} ` +
    `for ${onlyNew ? 'the tenants not yet migrated (--all-tenants runs every tenant)' : 'every tenant'}.`,
  );
  return ExitCode.Ok;
}

export async function scheduleListCommand(ctx: CommandContext): Promise<number> {
  const { client } = await ctx.temporal();
  const rows: Array<{ scheduleId: string; paused: boolean; note?: string; nextRun?: string }> = [];
  for await (const s of client.schedule.list()) {
    if (s.action?.workflowType !== ROLLOUT_WORKFLOW) continue;
    rows.push({ scheduleId: s.scheduleId, paused: s.state.paused, note: s.state.note, nextRun: s.info.nextActionTimes[0]?.toISOString() });
  }
  printResult(ctx.io, ctx.options, rows, () =>
    rows.length === 0
      ? 'No rollout schedules (create one with `qlik-rollout schedule create <plan> --cron "0 2 * * *"`).'
      : rows.map((r) => `${r.scheduleId.padEnd(32)} ${r.paused ? 'paused ' : 'active '} next ${r.nextRun ?? '-'}  ${r.note ?? ''}`).join('\n'),
  );
  return ExitCode.Ok;
}

function summarize(d: ScheduleDescription) {
  return {
    scheduleId: d.scheduleId,
    paused: d.state.paused,
    note: d.state.note,
    when: typeof d.action.memo?.when === 'string' ? d.action.memo.when : JSON.stringify(d.spec),
    tenants: d.action.memo?.tenants === 'all' ? 'all' : d.action.memo?.tenants === 'only new' ? 'only new' : 'unknown',
    workflowType: d.action.workflowType,
    workflowId: d.action.workflowId,
    actionsTaken: d.info.numActionsTaken,
    skippedOverlap: d.info.numActionsSkippedOverlap,
    running: d.info.runningActions.map((a) => a.workflow.workflowId),
    recent: d.info.recentActions.map((a) => ({ at: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
  };
}

/**
 * Temporal applies pause/unpause asynchronously (the scheduler workflow handles it as a signal), so a describe right
 * after can still show the old state: wait briefly until it shows the one just asked for.
 */
async function describeSettled(handle: ScheduleHandle, paused: boolean | undefined): Promise<ScheduleDescription> {
  for (let attempt = 0; ; attempt++) {
    const description = await handle.describe();
    if (paused === undefined || description.state.paused === paused || attempt >= 50) return description;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export type ScheduleAction = 'describe' | 'pause' | 'unpause' | 'trigger' | 'delete';

/** The commands that act on one schedule by id. */
export async function scheduleActionCommand(ctx: CommandContext, action: ScheduleAction, scheduleId: string, note?: string): Promise<number> {
  const { client } = await ctx.temporal();
  const handle = client.schedule.getHandle(scheduleId);
  try {
    if (action === 'pause') await handle.pause(note ?? 'paused with qlik-rollout');
    if (action === 'unpause') await handle.unpause(note ?? 'unpaused with qlik-rollout');
    if (action === 'trigger') await handle.trigger('SKIP');
    if (action === 'delete') {
      await handle.delete();
      printResult(ctx.io, ctx.options, { scheduleId, deleted: true }, () => `Deleted schedule ${scheduleId}.`);
      return ExitCode.Ok;
    }
    const description = summarize(await describeSettled(handle, action === 'pause' ? true : action === 'unpause' ? false : undefined));
    printResult(ctx.io, ctx.options, description, () =>
      [
        `Schedule ${scheduleId}: ${description.paused ? 'paused' : 'active'}${description.note ? ` (${description.note})` : ''}`,
        `  runs ${description.workflowType} ${description.workflowId}, ${description.when}, tenants: ${description.tenants}`,
        `  actions taken ${description.actionsTaken}, skipped (overlap) ${description.skippedOverlap}, running ${description.running.join(', ') || '-'}`,
        `  next: ${description.nextRuns.join(', ') || '-'}`,
      ].join('\n'),
    );
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new BadInputError(`No schedule ${scheduleId} (\`qlik-rollout schedule list\` shows them).`);
    throw err;
  }
  return ExitCode.Ok;
}
