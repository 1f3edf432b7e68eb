/**
 * QRS selections and synthetic multi-edit (help.qlik.com RepositoryServiceAPI "Get synthetic by selection" and
 * "Update selection by synthetic", LOCKED): POST /qrs/selection, GET|PUT /qrs/selection/{id}/app/synthetic (optional
 * `filter` on the selected apps), DELETE /qrs/selection/{id}. The QMC edits many apps at once this way.
 *
 * Qlik documents the envelope ({type, access, children, properties[{name, value, valueIsDifferent, valueIsModified}]})
 * but not `latestModifiedDate` nor a custom property's value inside it. Assumed (mirrored by
 * src/qlik/qrs/selections.ts): GET gives the values the selected apps carry as a string array, PUT takes
 * `{added: [...], removed: [...]}`. Assumption A2, variant 'multiedit-key': the property is named
 * `@<definition name>` (name) or `@<definition id>` (id, as the one public script that adds a custom property this
 * way sends it); the other form answers 400 like any unknown property. Only custom properties can be changed here;
 * other properties answer 400.
 */
import { QRS_NULL_DATE } from '../clock';
import type { Router } from '../http/router';
import { json, noContent, type SimRequest } from '../http/types';
import { readBody, selectionCreate, syntheticListChange, syntheticUpdate } from './bodies';
import type { QseowContext } from './context';
import { qrsText } from './guard';
import type { AppRecord, CustomPropertyDefinitionRecord, CustomPropertyValueRecord, SelectionRecord } from './model';
import { requestFilter } from './qrs-read';
import { appOr404, newCustomPropertyValue, touch } from './qrs-write';
import { appFull } from './shapes';

const latest = (apps: AppRecord[]): string => apps.map((app) => app.modifiedDate).sort().at(-1) ?? QRS_NULL_DATE;

function selectionOr404(ctx: QseowContext, id: string): SelectionRecord {
  const selection = ctx.site.selections.get(id.toLowerCase());
  if (!selection) throw qrsText(404, `No selection with id ${id}`);
  return selection;
}

/** The selection's apps that still exist (an app deleted since simply drops out) and pass the request's `filter`. */
function selectedApps(ctx: QseowContext, selection: SelectionRecord, req: SimRequest): AppRecord[] {
  const { matches, readsValues } = requestFilter(req);
  return selection.items.flatMap((item) => {
    const app = item.type.toLowerCase() === 'app' ? ctx.site.apps.get(item.objectID) : undefined;
    return app && matches(appFull(ctx.site, app, readsValues)) ? [app] : [];
  });
}

function appDefinitions(ctx: QseowContext): CustomPropertyDefinitionRecord[] {
  return [...ctx.site.customPropertyDefinitions.values()].filter((def) => def.objectTypes.some((type) => type.toLowerCase() === 'app'));
}

function valuesOf(app: AppRecord, def: CustomPropertyDefinitionRecord): string[] {
  return app.customProperties.filter((v) => v.definitionId === def.id).map((v) => v.value);
}

/** Assumption A2: the synthetic property name of a definition under the site's 'multiedit-key' variant. */
function syntheticKey(ctx: QseowContext, def: CustomPropertyDefinitionRecord): string {
  return ctx.variants['multiedit-key'] === 'id' ? `@${def.id}` : `@${def.name}`;
}

function sameSet(a: string[], b: string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((value) => set.has(value));
}

function synthetic(ctx: QseowContext, apps: AppRecord[]) {
  const scalar = (name: string, schemaPath: string, pick: (app: AppRecord) => string) => {
    const values = apps.map(pick);
    return { name, value: values[0] ?? '', valueIsDifferent: values.some((v) => v !== values[0]), valueIsModified: false, schemaPath };
  };
  const customProperties = appDefinitions(ctx).map((def) => {
    const perApp = apps.map((app) => valuesOf(app, def));
    return {
      name: syntheticKey(ctx, def),
      value: [...new Set(perApp.flat())],
      valueIsDifferent: perApp.some((values) => !sameSet(values, perApp[0])),
      valueIsModified: false,
      schemaPath: 'App.CustomProperties',
    };
  });
  return {
    type: 'App',
    latestModifiedDate: latest(apps),
    access: ['read', 'update'],
    children: [],
    properties: [scalar('name', 'App.Name', (app) => app.name), scalar('description', 'App.Description', (app) => app.description), ...customProperties],
  };
}

/**
 * Per value list, the values of each definition, so a commit adding a few names to an app carrying 10,000 does not
 * rescan them. Valid while the list is only appended to here; every other writer replaces the list.
 */
const valueIndex = new WeakMap<CustomPropertyValueRecord[], Map<string, Set<string>>>();

function indexedValues(list: CustomPropertyValueRecord[], definitionId: string): Set<string> {
  let index = valueIndex.get(list);
  if (!index) {
    index = new Map();
    for (const v of list) {
      let values = index.get(v.definitionId);
      if (!values) index.set(v.definitionId, (values = new Set()));
      values.add(v.value);
    }
    valueIndex.set(list, index);
  }
  let values = index.get(definitionId);
  if (!values) index.set(definitionId, (values = new Set()));
  return values;
}

/** Adds and removes the values on one app; true if it changed. */
function applyChange(ctx: QseowContext, req: SimRequest, app: AppRecord, def: CustomPropertyDefinitionRecord, change: { added: string[]; removed: string[] }): boolean {
  let present = indexedValues(app.customProperties, def.id);
  let changed = false;
  if (change.removed.some((value) => present.has(value))) {
    // Rare (the policy phase only adds): a new list without them, indexed afresh.
    const removed = new Set(change.removed);
    app.customProperties = app.customProperties.filter((v) => v.definitionId !== def.id || !removed.has(v.value));
    present = indexedValues(app.customProperties, def.id);
    changed = true;
  }
  for (const value of new Set(change.added)) {
    if (present.has(value)) continue;
    app.customProperties.push(newCustomPropertyValue(ctx, req, def.id, value));
    present.add(value);
    changed = true;
  }
  return changed;
}

export function registerSelections(router: Router, ctx: QseowContext): void {
  const { site, engine } = ctx;

  router.on('POST', '/qrs/selection', (req) => {
    const body = readBody(req, selectionCreate);
    const items = body.items.map((item) => {
      if (item.type.toLowerCase() !== 'app') throw qrsText(400, `Selections of type "${item.type}" are not supported by the simulator (App only)`);
      return { id: ctx.ids.guid('selectionitem'), type: 'App', objectID: appOr404(ctx, item.objectID).id };
    });
    const selection = { id: ctx.ids.guid('selection'), items };
    site.selections.set(selection.id, selection);
    return json(201, selection);
  });

  router.on('DELETE', '/qrs/selection/:id', (_req, { id }) => {
    site.selections.delete(selectionOr404(ctx, id).id);
    return noContent;
  });

  router.on('GET', '/qrs/selection/:id/app/synthetic', (req, { id }) => json(200, synthetic(ctx, selectedApps(ctx, selectionOr404(ctx, id), req))));

  router.on('PUT', '/qrs/selection/:id/app/synthetic', (req, { id }) => {
    const apps = selectedApps(ctx, selectionOr404(ctx, id), req);
    const body = readBody(req, syntheticUpdate);
    if (body.type.toLowerCase() !== 'app') throw qrsText(400, `Synthetic type "${body.type}" does not match /app/synthetic`);
    const changes = body.properties.filter((p) => p.valueIsModified).map((property) => {
      if (!property.name.startsWith('@')) throw qrsText(400, `Property "${property.name}": only custom properties (@Name) can be multi-edited in the simulator`);
      const def = appDefinitions(ctx).find((d) => syntheticKey(ctx, d).toLowerCase() === property.name.toLowerCase());
      if (!def) throw qrsText(400, `Property "${property.name}": no custom property definition applies to apps under that name (the synthetic GET lists the names)`);
      const change = syntheticListChange.safeParse(property.value);
      if (!change.success) throw qrsText(400, `Property "${property.name}": value must be {"added": [...], "removed": [...]}`);
      return { def, change: change.data };
    });
    const sent = Date.parse(body.latestModifiedDate);
    if (Number.isNaN(sent)) throw qrsText(400, `latestModifiedDate "${body.latestModifiedDate}" is not a date: send the value the GET of this synthetic object answered`);
    const newer = apps.find((app) => Date.parse(app.modifiedDate) > sent);
    if (newer) {
      throw qrsText(409, `Conflict: app ${newer.id} was modified at ${newer.modifiedDate}; the request carried latestModifiedDate ${body.latestModifiedDate}. Read the synthetic object again and retry.`);
    }
    for (const app of apps) {
      const changed = changes.map(({ def, change }) => applyChange(ctx, req, app, def, change)).includes(true);
      if (!changed) continue;
      touch(ctx, app, req);
      // Like an app PUT: policies are re-evaluated when a published app changes (doc HLP-POL-INTRO23).
      engine.onAppChanged(app, 'metadata');
    }
    return noContent;
  });
}
