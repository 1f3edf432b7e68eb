/** Qlik Cloud items: the catalogue entries of apps, searchable by name. */
import { z } from 'zod';
import type { Transport } from '../transport';
import { listAll } from './pagination';

export const ItemSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  spaceId: z.string().nullish(),
});
export type Item = z.output<typeof ItemSchema>;

/** App items with exactly this name (the `name` query is a search; match client-side). */
export async function findAppItems(cloud: Transport, name: string): Promise<Item[]> {
  const items = await listAll(cloud, '/api/v1/items', { resourceType: 'app', name, limit: 100 }, ItemSchema);
  return items.filter((item) => item.name === name && item.resourceType === 'app');
}
