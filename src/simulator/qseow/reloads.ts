/**
 * Reloads on QSEoW: a reload task run creates an execution session (gone once finished, doc QRS-TASK) and an
 * execution result (7 FinishedSuccess / 8 FinishedFail). A successful reload moves App.lastReloadTime and
 * triggers redistribution.
 */
import type { MonotonicClock } from '../clock';
import type { IdSource } from '../random';
import type { DistributionEngine } from '../distribution/engine';
import type { AppRecord, ExecutionResultRecord, ReloadTaskRecord, SiteStore } from './model';

export interface ReloadOutcome {
  appId: string;
  ok: boolean;
  lastReloadTime: string;
  sessionId: string;
}

export class ReloadRunner {
  constructor(
    private readonly site: SiteStore,
    private readonly engine: DistributionEngine,
    private readonly clock: MonotonicClock,
    private readonly ids: IdSource,
    private readonly reloadDurationMs: number,
  ) {}

  /** The app's reload task, created on first use (like the task QMC makes when you schedule a reload). */
  taskFor(app: AppRecord): ReloadTaskRecord {
    for (const task of this.site.reloadTasks.values()) if (task.appId === app.id && task.taskType === 0) return task;
    const now = this.clock.nowIso();
    const task: ReloadTaskRecord = {
      id: this.ids.guid('reloadtask'), createdDate: now, modifiedDate: now, modifiedByUserName: 'INTERNAL\\sa_repository',
      name: `Reload task of ${app.name}`, appId: app.id, taskType: 0, enabled: true, taskSessionTimeout: 1440, maxRetries: 0,
      isManuallyTriggered: false, isPartialReload: false, lastExecutionResultId: null,
    };
    this.site.reloadTasks.set(task.id, task);
    return task;
  }

  /** Starts a run; `done` settles when the reload finished (the session is then gone). */
  start(task: ReloadTaskRecord): { sessionId: string; done: Promise<ReloadOutcome> } {
    const app = this.site.apps.get(task.appId);
    if (!app) throw new Error(`reload task ${task.id} points at a deleted app`);
    const now = this.clock.nowIso();
    const sessionId = this.ids.guid('executionsession');
    const result: ExecutionResultRecord = {
      id: this.ids.guid('executionresult'), createdDate: now, modifiedDate: now, modifiedByUserName: 'INTERNAL\\sa_scheduler',
      taskId: task.id, executionId: sessionId, appId: app.id, status: 2, startTime: now, stopTime: '1753-01-01T00:00:00.000Z',
      duration: 0, details: [{ id: this.ids.guid('executiondetail'), detailsType: 2, message: 'Changing task state from Triggered to Started', detailCreatedDate: now }],
    };
    this.site.addExecutionResult(result);
    task.lastExecutionResultId = result.id;
    this.site.executionSessions.set(sessionId, {
      id: sessionId, createdDate: now, modifiedDate: now, modifiedByUserName: 'INTERNAL\\sa_scheduler', taskId: task.id, appId: app.id, resultId: result.id,
    });
    const done = new Promise<ReloadOutcome>((resolve) => {
      setTimeout(() => resolve(this.finish(app, result, sessionId)), this.reloadDurationMs).unref();
    });
    return { sessionId, done };
  }

  /** Reload now through the app's task and wait for it (the simulator's reloadApp and POST /qrs/app/{id}/reload). */
  async reloadNow(app: AppRecord): Promise<ReloadOutcome> {
    return this.start(this.taskFor(app)).done;
  }

  private finish(app: AppRecord, result: ExecutionResultRecord, sessionId: string): ReloadOutcome {
    const now = this.clock.nowIso();
    this.site.executionSessions.delete(sessionId);
    const ok = !app.reloadFails;
    result.status = ok ? 7 : 8;
    result.stopTime = now;
    result.modifiedDate = now;
    result.duration = Date.parse(now) - Date.parse(result.startTime);
    result.details.push({
      id: this.ids.guid('executiondetail'), detailsType: ok ? 2 : 0, detailCreatedDate: now,
      message: ok ? 'Changing task state from Started to FinishedSuccess' : 'Reload failed: General Script Error in statement handling (line 42). Changing task state from Started to FinishedFail',
    });
    if (ok) {
      app.lastReloadTime = now;
      app.modifiedDate = now;
      this.engine.onAppChanged(app, 'reload');
    }
    return { appId: app.id, ok, lastReloadTime: app.lastReloadTime, sessionId };
  }
}
