/**
 * QRS selections and synthetic multi-edit (POST /qrs/selection, GET|PUT /qrs/selection/{id}/app/synthetic): how the
 * QMC edits many apps at once. Adding a custom property value this way sends only the change, where a PUT of the app
 * would send (and receive) every value with the definition's whole choice list.
 *
 * Qlik documents the synthetic envelope (latestModifiedDate, properties[name, value, valueIsDifferent,
 * valueIsModified]) but not how a custom property's value looks inside it. PUT takes `{added: [...], removed: [...]}`
 * (as public scripts send it). Assumption A2: the property is named `@<definition name>` or `@<definition id>` (the
 * one public script adding a custom property this way uses the id); the key is read from the synthetic GET before
 * the first PUT and cached per site.
 */
import { z } from 'zod';
import { assumptionMessage } from '../assumptions';
import { configFailure, isHttpStatus } from '../errors';
import type { Transport } from '../transport';

const SelectionSchema = z.looseObject({ id: z.string() });

const SyntheticSchema = z.looseObject({ properties: z.array(z.looseObject({ name: z.string() })).nullish().transform((list) => list ?? []) });

/** The custom property definition being multi-edited. */
export interface DefinitionRef {
  id: string;
  name: string;
}

/** Assumption A2: per site and definition, the synthetic property name the site uses ("@<name>" or "@<id>"). */
const syntheticKeys = new Map<string, Promise<string>>();

/** Assumption A2: which of a synthetic root's property names is the definition's, and in which form (else undefined). */
export function syntheticKeyOf(propertyNames: string[], definition: DefinitionRef): { key: string; form: 'name' | 'id' } | undefined {
  const byName = propertyNames.find((name) => name === `@${definition.name}`);
  if (byName) return { key: byName, form: 'name' };
  const byId = propertyNames.find((name) => name.toLowerCase() === `@${definition.id}`.toLowerCase());
  return byId ? { key: byId, form: 'id' } : undefined;
}

async function readSyntheticKey(qrs: Transport, selectionId: string, definition: DefinitionRef): Promise<string> {
  const { properties } = (await qrs.request({ method: 'GET', route: '/qrs/selection/{id}/app/synthetic', params: { id: selectionId }, schema: SyntheticSchema })).data;
  const names = properties.map((p) => p.name);
  const found = syntheticKeyOf(names, definition);
  if (found) return found.key;
  const customProperties = names.filter((name) => name.startsWith('@'));
  throw configFailure(
    assumptionMessage(
      'A2',
      `The multi-edit object of ${qrs.target} names custom property "${definition.name}" neither "@${definition.name}" nor "@${definition.id}" ` +
        `(its custom properties: ${customProperties.slice(0, 10).join(', ') || 'none'}); check that the definition applies to apps`,
    ),
  );
}

// Keyed by id and name: a renamed definition is read again.
const syntheticCacheKey = (qrs: Transport, definition: DefinitionRef) => `${qrs.target} ${definition.id.toLowerCase()} ${definition.name}`;

function syntheticKey(qrs: Transport, selectionId: string, definition: DefinitionRef): Promise<string> {
  const cacheKey = syntheticCacheKey(qrs, definition);
  let key = syntheticKeys.get(cacheKey);
  if (!key) {
    key = readSyntheticKey(qrs, selectionId, definition);
    syntheticKeys.set(cacheKey, key);
    key.catch(() => syntheticKeys.delete(cacheKey));
  }
  return key;
}

async function createSelection(qrs: Transport, appIds: string[]): Promise<string> {
  const body = { items: appIds.map((objectID) => ({ type: 'App', objectID })) };
  return (await qrs.request({ method: 'POST', route: '/qrs/selection', body, schema: SelectionSchema })).data.id;
}

async function addSyntheticValues(qrs: Transport, selectionId: string, latestModifiedDate: string, definition: DefinitionRef, added: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const name = await syntheticKey(qrs, selectionId, definition);
    const body = {
      type: 'App',
      latestModifiedDate,
      properties: [{ name, value: { added, removed: [] }, valueIsModified: true, valueIsDifferent: false }],
    };
    try {
      await qrs.call({ method: 'PUT', route: '/qrs/selection/{id}/app/synthetic', params: { id: selectionId }, body });
      return;
    } catch (err) {
      // A 400 with a cached key (the site was upgraded or restored since): read the key once more.
      if (!isHttpStatus(err, 400) || attempt > 1) throw err;
      syntheticKeys.delete(syntheticCacheKey(qrs, definition));
    }
  }
}

/**
 * One selection per (QSEoW site, app set) per process, reused by every tenant of the rollout: selections are cheap
 * scratch objects, and creating one per tenant would add two calls to every policy phase. A 404 (QRS dropped it,
 * or the site restarted) makes a new one.
 */
const selections = new Map<string, Promise<string>>();

async function withSelection<T>(qrs: Transport, appIds: string[], use: (selectionId: string) => Promise<T>): Promise<T> {
  const key = `${qrs.target} ${[...appIds].sort().join(',')}`;
  for (let attempt = 1; ; attempt++) {
    let selection = selections.get(key);
    if (!selection) {
      selection = createSelection(qrs, appIds);
      selections.set(key, selection);
      selection.catch(() => selections.delete(key));
    }
    try {
      return await use(await selection);
    } catch (err) {
      if (!isHttpStatus(err, 404) || attempt > 1) throw err;
      if (selections.get(key) === selection) selections.delete(key);
    }
  }
}

/** Multi-edit of one custom property on a set of apps. */
export const appCustomProperty = {
  /** Adds values on every app of the set; adding a value an app already carries changes nothing. */
  add: (qrs: Transport, appIds: string[], definition: DefinitionRef, latestModifiedDate: string, added: string[]) =>
    withSelection(qrs, appIds, (id) => addSyntheticValues(qrs, id, latestModifiedDate, definition, added)),
};
