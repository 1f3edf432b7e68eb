/** What every command gets: the injected io, the global options, and a lazily opened Temporal connection. */
import fs from 'node:fs';
import { WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { loadPlanFile, PlanError } from '../plan/load';
import type { RolloutPlan } from '../plan/types';
import { connectionSettings, connectTemporal, type ConnectionSettings, type TemporalSession } from './connection';
import { BadInputError, CliError, type CliIo } from './io';

export interface GlobalOptions {
  json?: boolean;
  profile?: string;
  taskQueue?: string;
}

export class CommandContext {
  private session?: Promise<TemporalSession>;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {}

  settings(): ConnectionSettings {
    const settings = connectionSettings(this.io.env, this.options.profile);
    return this.options.taskQueue ? { ...settings, taskQueue: this.options.taskQueue } : settings;
  }

  temporal(): Promise<TemporalSession> {
    this.session ??= connectTemporal(this.settings());
    return this.session;
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await (await session.catch(() => undefined))?.close();
  }
}

/** Loads a plan, turning plan problems into exit code 2 with the file, path and line of each. */
export function loadPlanOrExit(file: string): RolloutPlan {
  try {
    return loadPlanFile(file);
  } catch (err) {
    if (err instanceof PlanError) throw new BadInputError(err.message);
    throw err;
  }
}

/** A rollout argument is its id, or a plan file (whose name is the id). */
export function rolloutIdFrom(arg: string): string {
  const looksLikeFile = /\.(ya?ml|json)$/i.test(arg) || arg.includes('/');
  return looksLikeFile && fs.existsSync(arg) ? loadPlanOrExit(arg).name : arg;
}

/** Turns the SDK's errors about one workflow into messages a person can act on. */
export function explainWorkflowError(err: unknown, what: string): never {
  if (err instanceof WorkflowNotFoundError) {
    throw new BadInputError(`${what} does not exist or is no longer running (\`qlik-rollout list\` shows the rollouts)`);
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = (err.cause as Error | undefined)?.message ?? err.message;
    throw new CliError(`${what} refused the command: ${cause}`);
  }
  throw err;
}
