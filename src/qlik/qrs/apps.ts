/**
 * QRS apps: find by name, read the distribution-relevant fields, test custom property values.
 * Never the full entity per tenant: under the OEM pattern an app carries one `Deployments` value per tenant, and
 * QRS shapes each value with the definition's whole choice list, so /qrs/app/full grows with tenants^2
 * (~15 MB at 1,000 tenants). Scalar fields come from the table view, values are tested with counts.
 */
import { z } from 'zod';
import type { Transport } from '../transport';
import { anyOf, guid, quote } from './client';
import { CustomPropertyValueSchema } from './custom-properties';
import { qrsEntity, QrsEntityBase } from './entity';
import { readTable } from './table';

/** QRS writes "no date" as 1753-01-01. */
export const QRS_NULL_DATE_PREFIX = '1753-01-01';

/** The full entity (GET /qrs/app/{id}); kept for tools and tests, not for per-tenant reads. */
export const QrsAppSchema = QrsEntityBase.extend({
  name: z.string(),
  published: z.boolean().optional().default(false),
  stream: z.looseObject({ id: z.string(), name: z.string() }).nullish(),
  fileSize: z.number().optional().default(0),
  lastReloadTime: z.string().nullish(),
  publishTime: z.string().nullish(),
  lastDataDistribution: z.string().nullish(),
  customProperties: z.array(CustomPropertyValueSchema).nullish().transform((values) => values ?? []),
});
export type QrsApp = z.output<typeof QrsAppSchema>;

export const qrsApps = qrsEntity('app', QrsAppSchema);

/** What the phases need to know about an app, read as one table row. */
const APP_FACT_COLUMNS = {
  id: 'id',
  name: 'name',
  published: 'published',
  streamName: 'stream.name',
  fileSize: 'fileSize',
  lastReloadTime: 'lastReloadTime',
  lastDataDistribution: 'lastDataDistribution',
};

const AppFactsSchema = z.object({
  id: z.string(),
  name: z.string(),
  published: z.boolean().nullish().transform((published) => published ?? false),
  streamName: z.string().nullish(),
  fileSize: z.number().nullish().transform((size) => size ?? 0),
  lastReloadTime: z.string().nullish(),
  lastDataDistribution: z.string().nullish(),
});
export type AppFacts = z.output<typeof AppFactsSchema>;

/**
 * The app's modification stamp, from one table row: what a synthetic multi-edit must carry (an older one is a 409).
 * undefined when the app no longer exists.
 */
export async function appModifiedDate(qrs: Transport, appId: string): Promise<string | undefined> {
  const rows = await readTable(qrs, 'app', 'App', { id: 'id', modifiedDate: 'modifiedDate' }, z.object({ id: z.string(), modifiedDate: z.string() }), `id eq ${guid(appId)}`);
  return rows[0]?.modifiedDate;
}

export function hasReloaded(app: Pick<AppFacts, 'lastReloadTime'>): boolean {
  return Boolean(app.lastReloadTime) && !app.lastReloadTime!.startsWith(QRS_NULL_DATE_PREFIX);
}

/** Apps with any of these names (one table call). */
export function findAppsByName(qrs: Transport, names: string[]): Promise<AppFacts[]> {
  return readTable(qrs, 'app', 'App', APP_FACT_COLUMNS, AppFactsSchema, anyOf('name', names));
}

/**
 * The app a plan entry means: same name, preferably published in the plan's stream (QSEoW allows duplicate
 * names, e.g. an unpublished work copy next to the published app).
 */
export function pickPlanApp(candidates: AppFacts[], name: string, stream: string): AppFacts | undefined {
  const named = candidates.filter((app) => app.name === name);
  return named.find((app) => app.published && app.streamName === stream) ?? named.find((app) => app.published) ?? named[0];
}

const CountSchema = z.union([z.number(), z.looseObject({ value: z.number() }).transform((count) => count.value)]);

/** How many of `appIds` carry `propertyName` = `value`. */
async function countCarrying(qrs: Transport, appIds: string[], propertyName: string, value: string): Promise<number> {
  const filter = `(${anyOf('id', appIds, false)}) and customProperties.definition.name eq ${quote(propertyName)} and customProperties.value eq ${quote(value)}`;
  return (await qrs.request({ method: 'GET', route: '/qrs/app/count', query: { filter }, schema: CountSchema })).data;
}

/**
 * The ids among `appIds` that carry `propertyName` = `value`: one count when all do (the usual case), one per app
 * otherwise. QRS matches each condition on any element of customProperties, so a different property holding the
 * same value would also count; deployment names are not reused across properties in this pattern.
 */
export async function appsCarryingValue(qrs: Transport, appIds: string[], propertyName: string, value: string): Promise<Set<string>> {
  appIds.forEach(guid);
  if (appIds.length === 0) return new Set();
  if ((await countCarrying(qrs, appIds, propertyName, value)) === appIds.length) return new Set(appIds);
  const carrying = await Promise.all(appIds.map(async (id) => ((await countCarrying(qrs, [id], propertyName, value)) > 0 ? [id] : [])));
  return new Set(carrying.flat());
}
