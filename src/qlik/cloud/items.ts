/**
 * Qlik Cloud items: the catalogue entries of apps. Distributed apps are found the way Qlik's own example
 * "Auto publish apps distributed from Qlik Sense Enterprise Client-Managed" (qlik.dev/examples/manage-examples/
 * move-distributed-apps) finds them: `GET /api/v1/items?resourceType=app&noActions=true`, reading each item's
 * `resourceAttributes` (spaceId, published, originAppId). Assumption A4: staged apps are listed with noActions=true.
 */
import { z } from 'zod';
import type { Transport } from '../transport';
import { listAll } from './pagination';

/** An app item with the attributes the example selects on (resourceAttributes is the app's NxAttributes). */
export const AppItemSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  spaceId: z.string().nullish(),
  /** When the app the item stands for was made (ItemResultResponseBody.resourceCreatedAt). */
  resourceCreatedAt: z.string().nullish(),
  resourceAttributes: z
    .looseObject({
      id: z.string().nullish(),
      spaceId: z.string().nullish(),
      published: z.boolean().nullish(),
      publishTime: z.string().nullish(),
      originAppId: z.string().nullish(),
      lastReloadTime: z.string().nullish(),
      ownerId: z.string().nullish(),
    })
    .nullish(),
  /** appMemory: the app's size in memory, what Qlik Cloud's app size limit is about (doc KB-BIGAPPS). */
  resourceSize: z.looseObject({ appFile: z.number().nullish(), appMemory: z.number().nullish() }).nullish(),
});
export type AppItem = z.output<typeof AppItemSchema>;

/** App items whose name contains `name` (the items `name` query is a case-insensitive search; callers match exactly). */
export function searchAppItems(cloud: Transport, name: string): Promise<AppItem[]> {
  return listAll(cloud, '/api/v1/items', { resourceType: 'app', name, noActions: 'true', limit: 100 }, AppItemSchema);
}
