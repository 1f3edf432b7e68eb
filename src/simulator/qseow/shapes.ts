/**
 * QRS response bodies, shaped per the swagger subset (Repository Main API v38.22.0, doc QRS-SW). The contract
 * test validates these against the swagger definitions with ajv.
 */
import type {
  AppRecord,
  CustomPropertyDefinitionRecord,
  CustomPropertyValueRecord,
  ExecutionResultRecord,
  ExecutionSessionRecord,
  QrsUserRecord,
  ReloadTaskRecord,
  SiteStore,
  Stamped,
  StreamRecord,
  SystemRuleRecord,
  TagRecord,
} from './model';

type Json = Record<string, unknown>;

const PRIVILEGES = ['create', 'read', 'update', 'delete', 'export', 'publish', 'change_owner', 'change_role', 'export_data', 'approve', 'duplicate'];

function stamp(r: Stamped, schemaPath: string): Json {
  return { id: r.id, createdDate: r.createdDate, modifiedDate: r.modifiedDate, modifiedByUserName: r.modifiedByUserName, schemaPath };
}

export function userCondensed(u: QrsUserRecord | undefined): Json {
  if (!u) return { id: '00000000-0000-0000-0000-000000000000', userId: 'unknown', userDirectory: 'INTERNAL', name: 'unknown' };
  return { id: u.id, userId: u.userId, userDirectory: u.userDirectory, userDirectoryConnectorName: u.userDirectory, name: u.name };
}

export function userFull(u: QrsUserRecord): Json {
  return {
    ...stamp(u, 'User'), customProperties: [], userId: u.userId, userDirectory: u.userDirectory,
    userDirectoryConnectorName: u.userDirectory, name: u.name, roles: ['RootAdmin'], attributes: [], inactive: false,
    removedExternally: false, blacklisted: false, deleteProhibited: false, tags: [],
  };
}

export function tagCondensed(t: TagRecord): Json {
  return { id: t.id, name: t.name };
}

export function tagFull(t: TagRecord): Json {
  return { ...stamp(t, 'Tag'), name: t.name };
}

function tagsOf(site: SiteStore, tagIds: string[]): Json[] {
  return tagIds.flatMap((id) => {
    const t = site.tags.get(id);
    return t ? [tagCondensed(t)] : [];
  });
}

export function customPropertyDefinitionCondensed(d: CustomPropertyDefinitionRecord): Json {
  return { id: d.id, name: d.name, valueType: d.valueType, choiceValues: [...d.choiceValues] };
}

export function customPropertyDefinitionFull(d: CustomPropertyDefinitionRecord): Json {
  return {
    ...stamp(d, 'CustomPropertyDefinition'), name: d.name, valueType: d.valueType,
    choiceValues: [...d.choiceValues], objectTypes: [...d.objectTypes], description: d.description,
  };
}

/** Each definition's condensed shape, rebuilt only when the definition changes (its modifiedDate moves). */
const condensedCache = new WeakMap<CustomPropertyDefinitionRecord, { version: string; condensed: Json }>();

function condensedDefinition(site: SiteStore, id: string): Json {
  const def = site.customPropertyDefinitions.get(id);
  if (!def) return { id, name: '', valueType: 'Text', choiceValues: [] };
  const cached = condensedCache.get(def);
  if (cached?.version === def.modifiedDate) return cached.condensed;
  const condensed = customPropertyDefinitionCondensed(def);
  condensedCache.set(def, { version: def.modifiedDate, condensed });
  return condensed;
}

/** A value record never changes once created, so its shape is built once; its definition is read when used. */
const valueShapes = new WeakMap<CustomPropertyValueRecord, Json>();

/**
 * The values as QRS shapes them: each with its definition condensed, choice list included. Shapes are cached per
 * value and the condensed definition is shared, so re-shaping an app carrying 10,000 values after each change copies
 * 10,000 references, not 10,000 objects (per-tenant count queries filter on them).
 */
export function customPropertyValues(site: SiteStore, values: CustomPropertyValueRecord[]): Json[] {
  return values.map((v) => {
    let shaped = valueShapes.get(v);
    if (!shaped) {
      shaped = { ...stamp(v, 'CustomPropertyValue'), value: v.value, get definition() { return condensedDefinition(site, v.definitionId); } };
      valueShapes.set(v, shaped);
    }
    return shaped;
  });
}

export function streamCondensed(s: StreamRecord): Json {
  return { id: s.id, name: s.name };
}

export function streamFull(site: SiteStore, s: StreamRecord): Json {
  return {
    ...stamp(s, 'Stream'), name: s.name, owner: userCondensed(site.users.get(s.ownerId)),
    customProperties: customPropertyValues(site, s.customProperties), tags: tagsOf(site, s.tagIds),
  };
}

function appStream(site: SiteStore, app: AppRecord): Json | null {
  const s = app.streamId ? site.streams.get(app.streamId) : undefined;
  return s ? streamCondensed(s) : null;
}

export function appCondensed(site: SiteStore, app: AppRecord): Json {
  return {
    id: app.id, name: app.name, appId: '', publishTime: app.publishTime, published: app.published, stream: appStream(site, app),
    savedInProductVersion: '14.254.6', migrationHash: 'a3f2c1d4e5b6a7980f1e2d3c4b5a69788796a5b4', availabilityStatus: 1,
  };
}

/**
 * An app's shaped values, rebuilt only when the app changed (modifiedDate, value count): per-tenant
 * count queries filter an app carrying thousands of values, and must not re-shape them every time.
 */
const appValuesCache = new WeakMap<AppRecord, { version: string; values: Json[] }>();

function appCustomPropertyValues(site: SiteStore, app: AppRecord): Json[] {
  // Definitions are read through each value's shape when used, so only the app's own changes invalidate this.
  const version = `${app.modifiedDate}|${app.customProperties.length}`;
  const cached = appValuesCache.get(app);
  if (cached?.version === version) return cached.values;
  const values = customPropertyValues(site, app.customProperties);
  appValuesCache.set(app, { version, values });
  return values;
}

/** `withCustomProperties` false leaves out the one O(values) field, for filters and table columns that do not need it. */
export function appFull(site: SiteStore, app: AppRecord, withCustomProperties = true): Json {
  return {
    ...stamp(app, 'App'), privileges: PRIVILEGES,
    customProperties: withCustomProperties ? appCustomPropertyValues(site, app) : [],
    owner: userCondensed(site.users.get(app.ownerId)), name: app.name, appId: '', sourceAppId: '00000000-0000-0000-0000-000000000000',
    targetAppId: '00000000-0000-0000-0000-000000000000', publishTime: app.publishTime, published: app.published,
    tags: tagsOf(site, app.tagIds), description: app.description, stream: appStream(site, app), fileSize: app.fileSize,
    lastReloadTime: app.lastReloadTime, thumbnail: '', savedInProductVersion: '14.254.6',
    migrationHash: 'a3f2c1d4e5b6a7980f1e2d3c4b5a69788796a5b4', dynamicColor: '', availabilityStatus: 1,
    lastDataDistribution: app.lastDataDistribution,
  };
}

export function systemRuleCondensed(r: SystemRuleRecord): Json {
  return {
    id: r.id, category: r.category, subcategory: r.subcategory, type: r.type, name: r.name, rule: r.rule,
    resourceFilter: r.resourceFilter, actions: r.actions, comment: r.comment, disabled: r.disabled,
  };
}

export function systemRuleFull(site: SiteStore, r: SystemRuleRecord): Json {
  return {
    ...stamp(r, 'SystemRule'), ...systemRuleCondensed(r), ruleContext: r.ruleContext,
    seedId: '00000000-0000-0000-0000-000000000000', version: r.version, tags: tagsOf(site, r.tagIds),
  };
}

export function executionResultCondensed(r: ExecutionResultRecord): Json {
  return {
    id: r.id, executingNodeName: 'central', status: r.status, startTime: r.startTime, stopTime: r.stopTime,
    duration: r.duration, fileReferenceID: '00000000-0000-0000-0000-000000000000', scriptLogAvailable: false,
    details: r.details.map((d) => ({ ...d })), scriptLogLocation: '', scriptLogSize: 0,
  };
}

export function executionResultFull(r: ExecutionResultRecord): Json {
  return {
    ...stamp(r, 'ExecutionResult'), ...executionResultCondensed(r), taskID: r.taskId, executionID: r.executionId, appID: r.appId,
    executingNodeID: '2b1b5a34-5ad5-4f1c-a2f7-0a1e4b7c9d10',
  };
}

export function reloadTaskCondensed(site: SiteStore, t: ReloadTaskRecord): Json {
  const last = t.lastExecutionResultId ? site.executionResults.get(t.lastExecutionResultId) : undefined;
  return {
    id: t.id, name: t.name, taskType: t.taskType, enabled: t.enabled, taskSessionTimeout: t.taskSessionTimeout,
    maxRetries: t.maxRetries,
    operational: { id: t.id, lastExecutionResult: last ? executionResultCondensed(last) : null, nextExecution: '1753-01-01T00:00:00.000Z' },
  };
}

export function reloadTaskFull(site: SiteStore, t: ReloadTaskRecord): Json {
  const app = site.apps.get(t.appId);
  return {
    ...stamp(t, 'ReloadTask'), ...reloadTaskCondensed(site, t), customProperties: [], tags: [],
    app: app ? appCondensed(site, app) : { id: t.appId, name: '(deleted app)' },
    isManuallyTriggered: t.isManuallyTriggered, isPartialReload: t.isPartialReload,
  };
}

export function executionSession(site: SiteStore, s: ExecutionSessionRecord): Json {
  const result = site.executionResults.get(s.resultId);
  const task = site.reloadTasks.get(s.taskId);
  const app = site.apps.get(s.appId);
  return {
    ...stamp(s, 'ExecutionSession'), executingNode: { id: '2b1b5a34-5ad5-4f1c-a2f7-0a1e4b7c9d10' },
    executionResult: result ? executionResultCondensed(result) : null, abortAt: '1753-01-01T00:00:00.000Z', retries: 0, abortReason: 0,
    app: app ? appCondensed(site, app) : null, user: 'INTERNAL\\sa_scheduler', reloadTask: task ? reloadTaskCondensed(site, task) : null,
    userSyncTask: null, externalProgramTask: null,
  };
}

export function about(): Json {
  return {
    schemaPath: 'About', buildVersion: '38.22.0.0', buildDate: '2/14/2025 3:12:47 PM', databaseProvider: 'Devart.Data.PostgreSql',
    nodeType: 1, sharedPersistence: true, requiresBootstrap: false, singleNodeOnly: false,
  };
}
