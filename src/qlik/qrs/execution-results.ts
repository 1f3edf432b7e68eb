/**
 * QRS execution results. Assumption A8: besides reload runs they may record multi-cloud distributions (statuses
 * 13/14 DistributionQueue/DistributionRunning are documented, the rest is not), and a failed one may carry a
 * details message naming the deployment. The format is undocumented, so these messages are only reported to a
 * person, never parsed into a repair.
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

/** Failed runs of an app since `since` (ISO) whose details mention the deployment (any wording): for reports only. */
export async function distributionFailures(qrs: Transport, appId: string, deploymentName: string, since: string): Promise<DistributionFailure[]> {
  // GUIDs go unquoted in QRS filters.
  const results = await executionResults.list(qrs, `appID eq ${guid(appId)} and status eq ${TaskExecutionStatus.FinishedFail}`);
  const marker = deploymentName.toLowerCase();
  const sinceMs = Date.parse(since);
  return results.flatMap((result) => {
    const message = (result.details ?? []).map((detail) => detail.message ?? '').find((text) => text.toLowerCase().includes(marker));
    const at = result.stopTime ?? result.startTime ?? '';
    return message && Date.parse(at) >= sinceMs ? [{ at, message }] : [];
  });
}
