/** QRS apps: find by name, read the distribution-relevant fields, set custom property values. */
import { z } from 'zod';
import type { Transport } from '../transport';
import { anyOf, quote } from './client';
import { CustomPropertyValueSchema } from './custom-properties';
import { qrsEntity, QrsEntityBase } from './entity';

/** QRS writes "no date" as 1753-01-01. */
export const QRS_NULL_DATE_PREFIX = '1753-01-01';

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

export function hasReloaded(app: QrsApp): boolean {
  return Boolean(app.lastReloadTime) && !app.lastReloadTime!.startsWith(QRS_NULL_DATE_PREFIX);
}

/** Apps with any of these names (one filtered call). */
export function findAppsByName(qrs: Transport, names: string[]): Promise<QrsApp[]> {
  return qrsApps.list(qrs, anyOf('name', names));
}

/**
 * The app a plan entry means: same name, preferably published in the plan's stream (QSEoW allows duplicate
 * names, e.g. an unpublished work copy next to the published app).
 */
export function pickPlanApp(candidates: QrsApp[], name: string, stream: string): QrsApp | undefined {
  const named = candidates.filter((app) => app.name === name);
  return named.find((app) => app.published && app.stream?.name === stream) ?? named.find((app) => app.published) ?? named[0];
}

export function carriesValue(app: QrsApp, propertyName: string, definitionId: string, value: string): boolean {
  return app.customProperties.some((cp) => (cp.definition.id === definitionId || cp.definition.name === propertyName) && cp.value === value);
}

export const appFilterByName = (name: string): string => `name eq ${quote(name)}`;
