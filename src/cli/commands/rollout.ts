/** start, status, watch, list: starting a rollout and following it. */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { RolloutIdKey } from '../../shared/search-attributes';
import { rolloutSummary } from '../../workflows/details';
import { progressQuery, workflowIds, type RolloutInput, type RolloutProgress } from '../../workflows/messages';
import { workflowUiUrl } from '../connection';
import { type CommandContext, explainWorkflowError, loadPlanOrExit, rolloutIdFrom } from '../context';
import { BadInputError, CliError, colours, ExitCode, pause, printResult, withDeadline } from '../io';
import { isFinished, renderProgress } from '../progress-view';

export const ROLLOUT_WORKFLOW = 'rolloutWorkflow';
const QUERY_TIMEOUT_MS = 15_000;

export interface StartOptions {
  /** Tuning knobs passed to the workflow (the demo shortens retries). */
  workflowOptions?: RolloutInput['options'];
}

export async function startCommand(ctx: CommandContext, planFile: string, options: StartOptions = {}): Promise<number> {
  const plan = loadPlanOrExit(planFile);
  const { client, settings } = await ctx.temporal();
  const workflowId = workflowIds.rollout(plan.name);
  const uiUrl = workflowUiUrl(settings, workflowId);
  const input: RolloutInput = { rolloutId: plan.name, plan, ...(options.workflowOptions ? { options: options.workflowOptions } : {}) };
  let started = true;
  try {
    await client.workflow.start(ROLLOUT_WORKFLOW, {
      workflowId,
      taskQueue: settings.taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: RolloutIdKey, value: plan.name }],
      staticSummary: rolloutSummary(plan, { onlyNew: options.workflowOptions?.onlyNew }),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    started = false; // Idempotent: the rollout with this id is already running.
  }
  const tenants = plan.tenants.length;
  printResult(ctx.io, ctx.options, { rolloutId: plan.name, workflowId, started, alreadyRunning: !started, tenants, waves: plan.waves.map((w) => w.name), uiUrl }, () =>
    [
      started
        ? `Started rollout ${plan.name}: ${tenants} tenants in ${plan.waves.length} waves (${plan.waves.map((w) => `${w.name} ${w.tenants.length}`).join(', ')}).`
        : `Rollout ${plan.name} is already running; nothing new was started.`,
      `Follow it: qlik-rollout watch ${plan.name}`,
      ...(uiUrl ? [`Web UI: ${uiUrl}`] : []),
    ].join('\n'),
  );
  return ExitCode.Ok;
}

/** The only running rollout when none is named. */
export async function defaultRolloutId(client: Client): Promise<string> {
  const running: string[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${ROLLOUT_WORKFLOW}' AND ExecutionStatus = 'Running'` })) {
    running.push(wf.typedSearchAttributes.get(RolloutIdKey) ?? wf.workflowId.replace(/^rollout-/, ''));
  }
  if (running.length === 1) return running[0];
  if (running.length === 0) throw new BadInputError('No rollout is running; name one (`qlik-rollout list` shows them all).');
  throw new BadInputError(`Several rollouts are running (${running.join(', ')}); name one.`);
}

export async function resolveRollout(ctx: CommandContext, arg?: string): Promise<{ rolloutId: string; handle: WorkflowHandle }> {
  const { client } = await ctx.temporal();
  const rolloutId = arg ? rolloutIdFrom(arg) : await defaultRolloutId(client);
  return { rolloutId, handle: client.workflow.getHandle(workflowIds.rollout(rolloutId)) };
}

/** Progress of a rollout: its result once closed (no worker needed), else the progress query. */
export async function readProgress(handle: WorkflowHandle, rolloutId: string): Promise<RolloutProgress> {
  let closedStatus: string | undefined;
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') closedStatus = description.status.name;
  } catch (err) {
    explainWorkflowError(err, `Rollout ${rolloutId}`);
  }
  if (closedStatus === 'COMPLETED') return (await handle.result()) as RolloutProgress;
  if (closedStatus) {
    // Terminated, timed out or failed: the workflow has no progress of its own to give.
    return { rolloutId, status: closedStatus === 'CANCELED' ? 'aborted' : 'failed', reason: `workflow ${closedStatus.toLowerCase()}`, waves: [], tenants: [], run: 0 };
  }
  return withDeadline(handle.query(progressQuery, { includePending: false }), QUERY_TIMEOUT_MS, () => {
    throw new CliError(`Rollout ${rolloutId} did not answer within ${QUERY_TIMEOUT_MS / 1000}s: is a worker running on its task queue? (qlik-rollout worker)`);
  });
}

export async function statusCommand(ctx: CommandContext, arg?: string): Promise<number> {
  const { rolloutId, handle } = await resolveRollout(ctx, arg);
  const progress = await readProgress(handle, rolloutId);
  const uiUrl = workflowUiUrl((await ctx.temporal()).settings, handle.workflowId);
  printResult(ctx.io, ctx.options, { ...progress, uiUrl }, () => renderProgress(progress, colours(ctx.io), { uiUrl }));
  return ExitCode.Ok;
}

export interface WatchOptions {
  intervalMs?: number;
  /** Stop watching once this returns true (the demo stops at an approval). */
  until?: (progress: RolloutProgress) => boolean;
  /** Minimum time between frames when the output is not a terminal. */
  pipeFrameGapMs?: number;
}

/**
 * Redraws the progress until the rollout finishes (exit 0 if it succeeded, 1 otherwise) or Ctrl-C.
 * A terminal gets the display redrawn in place; a pipe gets a new frame only when something changed.
 */
export async function watchCommand(ctx: CommandContext, arg?: string, options: WatchOptions = {}): Promise<number> {
  const { rolloutId, handle } = await resolveRollout(ctx, arg);
  const uiUrl = workflowUiUrl((await ctx.temporal()).settings, handle.workflowId);
  const c = colours(ctx.io);
  let previous = '';
  let previousLines = 0;
  let previousShape = '';
  let lastFrameAt = 0;
  for (;;) {
    const progress = await readProgress(handle, rolloutId);
    const frame = ctx.options.json ? JSON.stringify(progress) : renderProgress(progress, c, { uiUrl });
    // A pipe or log gets a frame when a wave or the rollout changes state, else at most every 10 s.
    const shape = `${progress.status}|${progress.waves.map((w) => w.status).join(',')}`;
    const due = c.on || ctx.options.json || shape !== previousShape || Date.now() - lastFrameAt >= (options.pipeFrameGapMs ?? 10_000);
    if (frame !== previous && due) {
      previousShape = shape;
      lastFrameAt = Date.now();
      if (c.on && previousLines > 0) ctx.io.stdout.write(`\u001b[${previousLines}A\u001b[0J`);
      ctx.io.stdout.write(`${frame}\n`);
      if (!c.on && !ctx.options.json) ctx.io.stdout.write('\n');
      previous = frame;
      previousLines = frame.split('\n').length;
    }
    if (isFinished(progress)) return progress.status === 'succeeded' ? ExitCode.Ok : ExitCode.Failure;
    if (options.until?.(progress)) return ExitCode.Ok;
    if (ctx.io.signal?.aborted) return ExitCode.Ok;
    await pause(options.intervalMs ?? 1000, ctx.io.signal);
  }
}

export async function listCommand(ctx: CommandContext, opts: { running?: boolean; limit?: number }): Promise<number> {
  const { client, settings } = await ctx.temporal();
  const query = `WorkflowType = '${ROLLOUT_WORKFLOW}'${opts.running ? ` AND ExecutionStatus = 'Running'` : ''}`;
  const rows: Array<{ rolloutId: string; workflowId: string; status: string; started: string; closed?: string; uiUrl?: string }> = [];
  for await (const wf of client.workflow.list({ query, pageSize: 100 })) {
    rows.push({
      rolloutId: wf.typedSearchAttributes.get(RolloutIdKey) ?? wf.workflowId.replace(/^rollout-/, ''),
      workflowId: wf.workflowId,
      status: wf.status.name,
      started: wf.startTime.toISOString(),
      ...(wf.closeTime ? { closed: wf.closeTime.toISOString() } : {}),
      uiUrl: workflowUiUrl(settings, wf.workflowId),
    });
    if (rows.length >= (opts.limit ?? 50)) break;
  }
  printResult(ctx.io, ctx.options, rows, () =>
    rows.length === 0
      ? 'No rollouts yet (start one with `qlik-rollout start <plan>`).'
      : [`${'ROLLOUT'.padEnd(24)} ${'STATUS'.padEnd(12)} STARTED`, ...rows.map((r) => `${r.rolloutId.padEnd(24)} ${r.status.padEnd(12)} ${r.started}`)].join('\n'),
  );
  return ExitCode.Ok;
}
