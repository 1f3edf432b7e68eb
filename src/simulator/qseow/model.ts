/** In-memory QSEoW repository: plain records indexed by id (and by name where the tool looks things up). */

export interface Stamped {
  id: string;
  createdDate: string;
  modifiedDate: string;
  modifiedByUserName: string;
}

export interface QrsUserRecord extends Stamped {
  userId: string;
  userDirectory: string;
  name: string;
}

export interface CustomPropertyValueRecord extends Stamped {
  value: string;
  definitionId: string;
}

export interface StreamRecord extends Stamped {
  name: string;
  ownerId: string;
  customProperties: CustomPropertyValueRecord[];
  tagIds: string[];
}

export interface CustomPropertyDefinitionRecord extends Stamped {
  name: string;
  valueType: string;
  choiceValues: string[];
  objectTypes: string[];
  description: string;
}

export interface TagRecord extends Stamped {
  name: string;
}

export interface AppRecord extends Stamped {
  name: string;
  ownerId: string;
  streamId: string | null;
  published: boolean;
  publishTime: string;
  description: string;
  fileSize: number;
  /** Last successful reload. */
  lastReloadTime: string;
  lastDataDistribution: string;
  customProperties: CustomPropertyValueRecord[];
  tagIds: string[];
  /** Simulation knob: every reload of this app fails (its script is broken). */
  reloadFails: boolean;
}

export interface SystemRuleRecord extends Stamped {
  name: string;
  category: string;
  subcategory: string;
  type: string;
  rule: string;
  resourceFilter: string;
  actions: number;
  comment: string;
  disabled: boolean;
  ruleContext: number;
  version: number;
  tagIds: string[];
}

export interface ReloadTaskRecord extends Stamped {
  name: string;
  appId: string;
  taskType: number;
  enabled: boolean;
  taskSessionTimeout: number;
  maxRetries: number;
  isManuallyTriggered: boolean;
  isPartialReload: boolean;
  lastExecutionResultId: string | null;
}

export interface ExecutionDetailRecord {
  id: string;
  detailsType: number;
  message: string;
  detailCreatedDate: string;
}

export interface ExecutionResultRecord extends Stamped {
  taskId: string;
  executionId: string;
  appId: string;
  status: number;
  startTime: string;
  stopTime: string;
  duration: number;
  details: ExecutionDetailRecord[];
}

export interface ExecutionSessionRecord extends Stamped {
  taskId: string;
  appId: string;
  resultId: string;
}

/** A multi-cloud deployment (Hybrid Deployment Service, undocumented upstream; see hds.ts). */
export interface DeploymentRecord {
  id: string;
  name: string;
  audience: string;
  serviceUrl: string;
  localBearerToken: boolean;
  /** The token in "Qlik Cloud format", as pasted into the tenant's multi-cloud IdP. */
  qcsToken: string;
  createdDate: string;
  modifiedDate: string;
}

/** A QRS selection (POST /qrs/selection): a scratch set of objects for multi-edit. */
export interface SelectionRecord {
  id: string;
  items: Array<{ id: string; type: string; objectID: string }>;
}

export class SiteStore {
  readonly users = new Map<string, QrsUserRecord>();
  readonly streams = new Map<string, StreamRecord>();
  readonly customPropertyDefinitions = new Map<string, CustomPropertyDefinitionRecord>();
  readonly tags = new Map<string, TagRecord>();
  readonly apps = new Map<string, AppRecord>();
  readonly systemRules = new Map<string, SystemRuleRecord>();
  readonly reloadTasks = new Map<string, ReloadTaskRecord>();
  readonly executionResults = new Map<string, ExecutionResultRecord>();
  /** Execution results per app id, so per-app queries do not scan every distribution ever made. */
  readonly executionResultsByApp = new Map<string, ExecutionResultRecord[]>();
  readonly executionSessions = new Map<string, ExecutionSessionRecord>();
  readonly deployments = new Map<string, DeploymentRecord>();
  /** Lower-cased deployment name -> deployment (names are unique). */
  readonly deploymentsByName = new Map<string, DeploymentRecord>();
  readonly selections = new Map<string, SelectionRecord>();

  addExecutionResult(result: ExecutionResultRecord): void {
    this.executionResults.set(result.id, result);
    const list = this.executionResultsByApp.get(result.appId);
    if (list) list.push(result);
    else this.executionResultsByApp.set(result.appId, [result]);
  }

  appByName(name: string): AppRecord | undefined {
    const lower = name.toLowerCase();
    for (const app of this.apps.values()) if (app.name.toLowerCase() === lower) return app;
    return undefined;
  }

  streamName(streamId: string | null): string | null {
    return streamId ? (this.streams.get(streamId)?.name ?? null) : null;
  }

  /** Custom property values of an app, grouped by definition name. */
  appCustomProperties(app: AppRecord): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const v of app.customProperties) {
      const def = this.customPropertyDefinitions.get(v.definitionId);
      if (!def) continue;
      (out[def.name] ??= []).push(v.value);
    }
    return out;
  }
}
