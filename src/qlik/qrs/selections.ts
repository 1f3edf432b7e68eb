/**
 * QRS selections and synthetic multi-edit (POST /qrs/selection, GET|PUT /qrs/selection/{id}/app/synthetic): how the
 * QMC edits many apps at once. Adding a custom property value this way sends only the change, where a PUT of the app
 * would send (and receive) every value with the definition's whole choice list.
 *
 * Qlik documents the synthetic envelope (latestModifiedDate, properties[name, value, valueIsDifferent,
 * valueIsModified]) but not how a custom property's value looks inside it. Assumed here, and in the simulator's
 * twin (src/simulator/qseow): the property is named `@<definition name>` and PUT takes `{added: [...], removed: [...]}`.
 */
import { z } from 'zod';
import { isHttpStatus } from '../errors';
import type { Transport } from '../transport';

const SelectionSchema = z.looseObject({ id: z.string() });

const syntheticName = (propertyName: string) => `@${propertyName}`;

async function createSelection(qrs: Transport, appIds: string[]): Promise<string> {
  const body = { items: appIds.map((objectID) => ({ type: 'App', objectID })) };
  return (await qrs.request({ method: 'POST', route: '/qrs/selection', body, schema: SelectionSchema })).data.id;
}

async function addSyntheticValues(qrs: Transport, selectionId: string, latestModifiedDate: string, propertyName: string, added: string[]): Promise<void> {
  const body = {
    type: 'App',
    latestModifiedDate,
    properties: [{ name: syntheticName(propertyName), value: { added, removed: [] }, valueIsModified: true, valueIsDifferent: false }],
  };
  await qrs.call({ method: 'PUT', route: '/qrs/selection/{id}/app/synthetic', params: { id: selectionId }, body });
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
  add: (qrs: Transport, appIds: string[], propertyName: string, latestModifiedDate: string, added: string[]) =>
    withSelection(qrs, appIds, (id) => addSyntheticValues(qrs, id, latestModifiedDate, propertyName, added)),
};
