/**
 * Generic QRS read routes, the same for every entity type (doc QRS-SW): GET /qrs/{type} (condensed),
 * /qrs/{type}/full, /qrs/{type}/count ({value: n}), /qrs/{type}/{id} and the table view POST /qrs/{type}/table,
 * with `filter` applied to the full entity.
 */
import { compileFilter, FilterSyntaxError, type Predicate } from './filter';
import { queryParam, type SimRequest, json } from '../http/types';
import type { Router } from '../http/router';
import type { SiteStore } from './model';
import { qrsText } from './guard';
import * as shapes from './shapes';
import { readTableRequest, tableView } from './table';

interface Readable<T> {
  type: string;
  records(site: SiteStore, req: SimRequest): Iterable<T>;
  byId(site: SiteStore, id: string): T | undefined;
  /** `lean`: the caller only filters or picks scalar columns, so O(values) lists may be left empty. */
  full(site: SiteStore, r: T, lean?: boolean): Record<string, unknown>;
  condensed(site: SiteStore, r: T): Record<string, unknown>;
}

function readable<T>(r: Readable<T>): Readable<T> {
  return r;
}

const GUID_IN_FILTER = /\bappid\s+eq\s+'?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'?/i;

const READABLE = [
  readable({
    type: 'app', records: (s) => s.apps.values(), byId: (s, id) => s.apps.get(id),
    full: (s, r, lean) => shapes.appFull(s, r, !lean), condensed: shapes.appCondensed,
  }),
  readable({
    type: 'stream', records: (s) => s.streams.values(), byId: (s, id) => s.streams.get(id),
    full: shapes.streamFull, condensed: (_s, r) => shapes.streamCondensed(r),
  }),
  readable({
    type: 'custompropertydefinition', records: (s) => s.customPropertyDefinitions.values(), byId: (s, id) => s.customPropertyDefinitions.get(id),
    full: (_s, r) => shapes.customPropertyDefinitionFull(r), condensed: (_s, r) => shapes.customPropertyDefinitionCondensed(r),
  }),
  readable({
    type: 'tag', records: (s) => s.tags.values(), byId: (s, id) => s.tags.get(id),
    full: (_s, r) => shapes.tagFull(r), condensed: (_s, r) => shapes.tagCondensed(r),
  }),
  readable({
    type: 'systemrule', records: (s) => s.systemRules.values(), byId: (s, id) => s.systemRules.get(id),
    full: shapes.systemRuleFull, condensed: (_s, r) => shapes.systemRuleCondensed(r),
  }),
  readable({
    type: 'reloadtask', records: (s) => s.reloadTasks.values(), byId: (s, id) => s.reloadTasks.get(id),
    full: shapes.reloadTaskFull, condensed: shapes.reloadTaskCondensed,
  }),
  readable({
    type: 'executionresult',
    // Distribution results pile up per deployment: narrow `appID eq <guid>` filters through the per-app index.
    records: (s, req) => {
      const appId = GUID_IN_FILTER.exec(queryParam(req, 'filter') ?? '')?.[1];
      return appId ? (s.executionResultsByApp.get(appId.toLowerCase()) ?? []) : s.executionResults.values();
    },
    byId: (s, id) => s.executionResults.get(id),
    full: (_s, r) => shapes.executionResultFull(r), condensed: (_s, r) => shapes.executionResultCondensed(r),
  }),
  readable({
    type: 'user', records: (s) => s.users.values(), byId: (s, id) => s.users.get(id),
    full: (_s, r) => shapes.userFull(r), condensed: (_s, r) => shapes.userCondensed(r),
  }),
];

/** The request's `filter`, compiled (400 on a syntax error), and whether it reads custom property values. */
export function requestFilter(req: SimRequest): { matches: Predicate; readsValues: boolean } {
  const filter = queryParam(req, 'filter');
  try {
    return { matches: compileFilter(filter), readsValues: /customproperties/i.test(filter ?? '') };
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw qrsText(400, err.message);
    throw err;
  }
}

/** Matches of the request's filter; `lean` when the caller needs no list-valued field of the full entity. */
function filtered<T>(site: SiteStore, req: SimRequest, kind: Readable<T>, lean: boolean): Array<{ record: T; full: Record<string, unknown> }> {
  const { matches, readsValues } = requestFilter(req);
  // A filter on custom property values needs them, whatever the caller reads afterwards.
  const leanEnough = lean && !readsValues;
  const out: Array<{ record: T; full: Record<string, unknown> }> = [];
  for (const record of kind.records(site, req)) {
    const full = kind.full(site, record, leanEnough);
    if (matches(full)) out.push({ record, full });
  }
  return out;
}

export function registerQrsReads(router: Router, site: SiteStore): void {
  for (const kind of READABLE as Array<Readable<unknown>>) {
    router.on('GET', `/qrs/${kind.type}`, (req) => json(200, filtered(site, req, kind, true).map((m) => kind.condensed(site, m.record))));
    router.on('GET', `/qrs/${kind.type}/full`, (req) => json(200, filtered(site, req, kind, false).map((m) => m.full)));
    router.on('GET', `/qrs/${kind.type}/count`, (req) => json(200, { value: filtered(site, req, kind, true).length }));
    router.on('POST', `/qrs/${kind.type}/table`, (req) => {
      const table = readTableRequest(kind.type, req);
      return json(201, tableView(table, req, filtered(site, req, kind, true).map((m) => m.full)));
    });
    router.on('GET', `/qrs/${kind.type}/:id`, (_req, params) => {
      const record = kind.byId(site, params.id.toLowerCase());
      if (record === undefined) throw qrsText(404, `No ${kind.type} with id ${params.id}`);
      return json(200, kind.full(site, record));
    });
  }
  router.on('GET', '/qrs/about', () => json(200, shapes.about()));
  router.on('GET', '/qrs/executionsession/:id', (_req, params) => {
    const session = site.executionSessions.get(params.id.toLowerCase());
    // Sessions are deleted when the run finishes (doc QRS-TASK): 404 means "finished, read the execution result".
    if (!session) throw qrsText(404, `No executionsession with id ${params.id} (finished sessions are deleted)`);
    return json(200, shapes.executionSession(site, session));
  });
}
