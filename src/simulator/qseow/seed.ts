/** Seeded QSEoW content: the site every test and the demo start from. Same seed -> same ids and sizes. */
import type { MonotonicClock } from '../clock';
import { QRS_NULL_DATE } from '../clock';
import type { IdSource } from '../random';
import type { AppRecord, ExecutionResultRecord, SiteStore, Stamped } from './model';

const MB = 1024 * 1024;
const GB = 1024 * MB;

export interface SeededAppSpec {
  name: string;
  stream: string | null;
  published: boolean;
  fileSize: number;
  reloadFails: boolean;
}

export function seededAppSpecs(ids: IdSource): SeededAppSpec[] {
  return [
    { name: 'Sales Analytics', stream: 'Customers', published: true, fileSize: ids.intBetween('size:sales', 50, 300) * MB, reloadFails: false },
    { name: 'Operations Overview', stream: 'Customers', published: true, fileSize: ids.intBetween('size:ops', 50, 300) * MB, reloadFails: false },
    { name: 'Huge Warehouse', stream: 'Customers', published: true, fileSize: 6 * GB, reloadFails: false },
    { name: 'Draft Budget', stream: null, published: false, fileSize: ids.intBetween('size:draft', 5, 40) * MB, reloadFails: false },
    { name: 'Failed Finance', stream: 'Customers', published: true, fileSize: ids.intBetween('size:finance', 50, 300) * MB, reloadFails: true },
  ];
}

export function seedSite(site: SiteStore, ids: IdSource, clock: MonotonicClock): SeededAppSpec[] {
  const base = clock.nowMs();
  const at = (hoursAgo: number) => new Date(base - hoursAgo * 3_600_000).toISOString();
  const stamped = (purpose: string, hoursAgo: number): Stamped => ({
    id: ids.guid(purpose), createdDate: at(hoursAgo), modifiedDate: at(hoursAgo), modifiedByUserName: 'INTERNAL\\sa_repository',
  });

  const admin = { ...stamped('user', 2000), userId: 'qlikadmin', userDirectory: 'DOMAIN', name: 'Qlik Admin' };
  const service = { ...stamped('user', 2000), userId: 'sa_repository', userDirectory: 'INTERNAL', name: 'sa_repository' };
  for (const u of [admin, service]) site.users.set(u.id, u);

  const streamIds = new Map<string, string>();
  for (const name of ['Customers', 'Everyone']) {
    const stream = { ...stamped('stream', 1500), name, ownerId: admin.id, customProperties: [], tagIds: [] };
    site.streams.set(stream.id, stream);
    streamIds.set(name, stream.id);
  }

  const deployments = {
    ...stamped('custompropertydefinition', 1000), name: 'Deployments', valueType: 'Text', choiceValues: [], objectTypes: ['App'],
    description: 'Multi-cloud deployments an app is distributed to',
  };
  site.customPropertyDefinitions.set(deployments.id, deployments);

  const specs = seededAppSpecs(ids);
  specs.forEach((spec, i) => {
    const reloadHoursAgo = 24 + i * 3;
    const app: AppRecord = {
      ...stamped('app', 800), name: spec.name, ownerId: admin.id, streamId: spec.stream ? (streamIds.get(spec.stream) ?? null) : null,
      published: spec.published, publishTime: spec.published ? at(500) : QRS_NULL_DATE, description: `${spec.name} (seeded)`,
      fileSize: spec.fileSize, lastReloadTime: at(reloadHoursAgo + (spec.reloadFails ? 24 : 0)), lastDataDistribution: QRS_NULL_DATE,
      customProperties: [], tagIds: [], reloadFails: spec.reloadFails,
    };
    app.modifiedDate = at(reloadHoursAgo);
    site.apps.set(app.id, app);
    seedReloadTask(site, ids, app, at(reloadHoursAgo), !spec.reloadFails);
  });
  return specs;
}

function seedReloadTask(site: SiteStore, ids: IdSource, app: AppRecord, when: string, ok: boolean): void {
  const task = {
    id: ids.guid('reloadtask'), createdDate: when, modifiedDate: when, modifiedByUserName: 'INTERNAL\\sa_repository',
    name: `Reload task of ${app.name}`, appId: app.id, taskType: 0, enabled: true, taskSessionTimeout: 1440, maxRetries: 0,
    isManuallyTriggered: false, isPartialReload: false, lastExecutionResultId: null as string | null,
  };
  const result: ExecutionResultRecord = {
    id: ids.guid('executionresult'), createdDate: when, modifiedDate: when, modifiedByUserName: 'INTERNAL\\sa_scheduler', taskId: task.id,
    executionId: ids.guid('executionsession'), appId: app.id, status: ok ? 7 : 8, startTime: when, stopTime: when, duration: 42_000,
    details: [{
      id: ids.guid('executiondetail'), detailsType: ok ? 2 : 0, detailCreatedDate: when,
      message: ok ? 'Changing task state from Started to FinishedSuccess' : 'Reload failed: General Script Error in statement handling (line 42). Changing task state from Started to FinishedFail',
    }],
  };
  task.lastExecutionResultId = result.id;
  site.reloadTasks.set(task.id, task);
  site.addExecutionResult(result);
}
