/**
 * QRS execution results. Besides reload runs they record multi-cloud distributions (statuses 13/14 queued/running,
 * then 7 or 8 with a details message naming the deployment): the one place QSEoW tells that sending an app to a
 * tenant failed.
 */
import { z } from 'zod';
import type { Transport } from '../transport';
import { guid } from './client';
import { qrsEntity, QrsEntityBase } from './entity';
import { TaskExecutionStatus } from './reload-tasks';

export const ExecutionResultSchema = QrsEntityBase.extend({
  appID: z.string().nullish(),
  status: z.number(),
  startTime: z.string().nullish(),
  stopTime: z.string().nullish(),
  details: z.array(z.looseObject({ message: z.string().nullish(), detailCreatedDate: z.string().nullish() })).nullish(),
});
export type ExecutionResult = z.output<typeof ExecutionResultSchema>;

export const executionResults = qrsEntity('executionresult', ExecutionResultSchema);

export interface DistributionFailure {
  at: string;
  message: string;
}

/** Failed distributions of an app to a deployment that finished after `since` (ISO). */
export async function distributionFailures(qrs: Transport, appId: string, deploymentName: string, since: string): Promise<DistributionFailure[]> {
  // GUIDs go unquoted in QRS filters.
  const results = await executionResults.list(qrs, `appID eq ${guid(appId)} and status eq ${TaskExecutionStatus.FinishedFail}`);
  const marker = `deployment "${deploymentName}"`.toLowerCase();
  const sinceMs = Date.parse(since);
  return results.flatMap((result) => {
    const message = (result.details ?? []).map((detail) => detail.message ?? '').find((text) => text.toLowerCase().includes(marker));
    const at = result.stopTime ?? result.startTime ?? '';
    return message && Date.parse(at) >= sinceMs ? [{ at, message }] : [];
  });
}
