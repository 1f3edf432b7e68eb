/**
 * QRS's generic entity conventions (GET /qrs/{type}/full?filter=, GET|PUT|DELETE /qrs/{type}/{id}, POST /qrs/{type})
 * in one place; the per-entity modules only add their schema and their own operations.
 * Schemas are loose (unknown fields are kept) because QRS updates replace the whole entity: a PUT must send back
 * everything that was read, or QRS resets omitted fields.
 */
import { z } from 'zod';
import type { Transport } from '../transport';

/** Fields every QRS entity has; modifiedDate drives optimistic concurrency (a stale one answers 409). */
export const QrsEntityBase = z.looseObject({
  id: z.string(),
  modifiedDate: z.string().optional(),
});

export interface QrsEntityApi<T extends { id: string }> {
  list(qrs: Transport, filter?: string): Promise<T[]>;
  get(qrs: Transport, id: string): Promise<T>;
  create(qrs: Transport, body: Record<string, unknown>): Promise<T>;
  /** PUT the whole entity (including id and the modifiedDate read). */
  update(qrs: Transport, entity: T): Promise<T>;
  remove(qrs: Transport, id: string): Promise<void>;
}

export function qrsEntity<S extends z.ZodType<{ id: string }>>(type: string, schema: S): QrsEntityApi<z.output<S>> {
  const list = z.array(schema);
  return {
    async list(qrs, filter) {
      return (await qrs.request({ method: 'GET', route: `/qrs/${type}/full`, query: { filter }, schema: list })).data;
    },
    async get(qrs, id) {
      return (await qrs.request({ method: 'GET', route: `/qrs/${type}/{id}`, params: { id }, schema })).data;
    },
    async create(qrs, body) {
      return (await qrs.request({ method: 'POST', route: `/qrs/${type}`, body, schema })).data;
    },
    async update(qrs, entity) {
      return (await qrs.request({ method: 'PUT', route: `/qrs/${type}/{id}`, params: { id: entity.id }, body: entity, schema })).data;
    },
    async remove(qrs, id) {
      await qrs.call({ method: 'DELETE', route: `/qrs/${type}/{id}`, params: { id } });
    },
  };
}
