/** QRS reload tasks: the last execution result tells whether an app's last reload succeeded. */
import { z } from 'zod';
import type { Transport } from '../transport';
import { anyOf } from './client';
import { qrsEntity, QrsEntityBase } from './entity';

/** TaskExecutionStatus values (QRS swagger). */
export const TaskExecutionStatus = { FinishedSuccess: 7, FinishedFail: 8, Aborted: 6, Error: 11, Skipped: 9 } as const;
const FAILED_STATUSES: number[] = [TaskExecutionStatus.FinishedFail, TaskExecutionStatus.Aborted, TaskExecutionStatus.Error];

export const ReloadTaskSchema = QrsEntityBase.extend({
  name: z.string(),
  taskType: z.number().optional(),
  enabled: z.boolean().optional(),
  app: z.looseObject({ id: z.string(), name: z.string().optional() }),
  operational: z
    .looseObject({
      lastExecutionResult: z
        .looseObject({ status: z.number(), startTime: z.string().nullish(), stopTime: z.string().nullish() })
        .nullish(),
    })
    .nullish(),
});
export type ReloadTask = z.output<typeof ReloadTaskSchema>;

export const reloadTasks = qrsEntity('reloadtask', ReloadTaskSchema);

export function reloadTasksOfApps(qrs: Transport, appIds: string[]): Promise<ReloadTask[]> {
  return reloadTasks.list(qrs, anyOf('app.id', appIds, false));
}

/**
 * Whether the app's most recent reload task run failed: the task that ran last decides.
 * undefined = no task has run (the caller falls back to the app's lastReloadTime).
 */
export function lastReloadFailed(tasks: ReloadTask[]): boolean | undefined {
  const runs = tasks
    .map((task) => task.operational?.lastExecutionResult)
    .filter((result): result is NonNullable<typeof result> => Boolean(result && result.status !== 0))
    .sort((a, b) => String(a.stopTime ?? a.startTime ?? '').localeCompare(String(b.stopTime ?? b.startTime ?? '')));
  const last = runs.at(-1);
  if (!last) return undefined;
  if (FAILED_STATUSES.includes(last.status)) return true;
  return last.status === TaskExecutionStatus.FinishedSuccess ? false : undefined;
}
