/**
 * QRS selections and synthetic multi-edit (POST /qrs/selection, GET|PUT /qrs/selection/{id}/app/synthetic): how the
 * QMC edits many apps at once. Adding a custom property value this way sends only the change, where a PUT of the app
 * would send (and receive) every value with the definition's whole choice list.
 *
 * Qlik documents the synthetic envelope (latestModifiedDate, properties[name, value, valueIsDifferent,
 * valueIsModified]) but not how a custom property's value looks inside it. Assumed here, and in the simulator's
 * twin (src/simulator/qseow): the property is named `@<definition name>`; GET gives the values as a string array,
 * PUT takes `{added: [...], removed: [...]}`.
 */
import { z } from 'zod';
import { isHttpStatus } from '../errors';
import type { Transport } from '../transport';

const SelectionSchema = z.looseObject({ id: z.string() });

const SyntheticSchema = z.looseObject({
  latestModifiedDate: z.string(),
  properties: z.array(z.looseObject({ name: z.string(), value: z.unknown() })),
});

/** A custom property as the selected apps carry it. */
export interface SyntheticCustomProperty {
  /** Modification stamp of the newest selected app: a PUT carrying an older one answers 409. */
  latestModifiedDate: string;
  /** Values any selected app carries. */
  values: string[];
}

const syntheticName = (propertyName: string) => `@${propertyName}`;

async function createSelection(qrs: Transport, appIds: string[]): Promise<string> {
  const body = { items: appIds.map((objectID) => ({ type: 'App', objectID })) };
  return (await qrs.request({ method: 'POST', route: '/qrs/selection', body, schema: SelectionSchema })).data.id;
}

async function readSynthetic(qrs: Transport, selectionId: string, propertyName: string): Promise<SyntheticCustomProperty> {
  const { data } = await qrs.request({ method: 'GET', route: '/qrs/selection/{id}/app/synthetic', params: { id: selectionId }, schema: SyntheticSchema });
  const property = data.properties.find((p) => p.name === syntheticName(propertyName));
  const values = z.array(z.string()).safeParse(property?.value ?? []);
  return { latestModifiedDate: data.latestModifiedDate, values: values.success ? values.data : [] };
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
  read: (qrs: Transport, appIds: string[], propertyName: string) => withSelection(qrs, appIds, (id) => readSynthetic(qrs, id, propertyName)),
  /** Adds values on every app of the set; adding a value an app already carries changes nothing. */
  add: (qrs: Transport, appIds: string[], propertyName: string, latestModifiedDate: string, added: string[]) =>
    withSelection(qrs, appIds, (id) => addSyntheticValues(qrs, id, latestModifiedDate, propertyName, added)),
};
