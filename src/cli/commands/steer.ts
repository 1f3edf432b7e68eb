/** pause, resume, abort, approve, retry, skip: Temporal updates, so the caller learns at once if it was taken. */
import {
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  resumeUpdate,
  retryTenantUpdate,
  skipTenantUpdate,
  type RolloutStatus,
  type TenantProgress,
} from '../../workflows/messages';
import { type CommandContext, explainWorkflowError } from '../context';
import { BadInputError, ExitCode, printResult } from '../io';
import { readProgress, resolveRollout } from './rollout';

export type SteerAction = 'pause' | 'resume' | 'abort';

export async function steerCommand(ctx: CommandContext, action: SteerAction, arg: string | undefined, reason?: string): Promise<number> {
  const { rolloutId, handle } = await resolveRollout(ctx, arg);
  let status: RolloutStatus;
  try {
    // By name: the SDK's typings do not accept updates whose only argument is optional.
    if (action === 'resume') status = await handle.executeUpdate(resumeUpdate, { args: [] });
    else status = await handle.executeUpdate<RolloutStatus, [{ reason?: string }]>((action === 'pause' ? pauseUpdate : abortUpdate).name, { args: [{ reason }] });
  } catch (err) {
    explainWorkflowError(err, `Rollout ${rolloutId}`);
  }
  const past = { pause: 'paused', resume: 'resumed', abort: 'aborting' }[action];
  printResult(ctx.io, ctx.options, { rolloutId, action, status }, () => `Rollout ${rolloutId} ${past}: status now ${status}.`);
  return ExitCode.Ok;
}

export async function approveCommand(ctx: CommandContext, arg: string | undefined, wave?: string): Promise<number> {
  const { rolloutId, handle } = await resolveRollout(ctx, arg);
  // Without --wave, approve the wave that waits; naming it guards against approving a later wave by mistake.
  const waveName = wave ?? (await readProgress(handle, rolloutId)).waves.find((w) => w.status === 'awaiting-approval')?.name;
  if (!waveName) throw new BadInputError(`Rollout ${rolloutId} has no wave waiting for approval (see \`qlik-rollout status ${rolloutId}\`).`);
  let status: RolloutStatus;
  try {
    status = await handle.executeUpdate(approveUpdate, { args: [{ wave: waveName }] });
  } catch (err) {
    explainWorkflowError(err, `Rollout ${rolloutId}`);
  }
  printResult(ctx.io, ctx.options, { rolloutId, wave: waveName, status }, () => `Approved wave "${waveName}" of rollout ${rolloutId}: status now ${status}.`);
  return ExitCode.Ok;
}

export async function tenantCommand(ctx: CommandContext, action: 'retry' | 'skip', tenant: string, arg: string | undefined, reason?: string): Promise<number> {
  const { rolloutId, handle } = await resolveRollout(ctx, arg);
  let result: TenantProgress;
  try {
    result =
      action === 'retry'
        ? await handle.executeUpdate(retryTenantUpdate, { args: [{ tenant }] })
        : await handle.executeUpdate(skipTenantUpdate, { args: [{ tenant, reason }] });
  } catch (err) {
    explainWorkflowError(err, `Rollout ${rolloutId}`);
  }
  printResult(ctx.io, ctx.options, { rolloutId, action, ...result }, () =>
    `${action === 'retry' ? 'Retrying' : 'Skipped'} tenant ${tenant} of rollout ${rolloutId}: ${result.status}${result.phase ? ` (phase ${result.phase})` : ''}.`,
  );
  return ExitCode.Ok;
}
