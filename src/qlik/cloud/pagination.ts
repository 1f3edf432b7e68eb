/** Qlik Cloud list pagination: `{ data: [...], links: { next: { href } } }`, followed until no next link. */
import { z } from 'zod';
import type { QueryValue, Transport } from '../transport';

/** Stops a server that keeps sending `next` from looping forever. */
const MAX_PAGES = 1000;

export function pageSchema<S extends z.ZodType>(item: S) {
  return z.looseObject({
    data: z.array(item).nullish().transform((data) => data ?? []),
    links: z.looseObject({ next: z.looseObject({ href: z.string() }).nullish() }).nullish(),
  });
}

export async function listAll<S extends z.ZodType>(
  cloud: Transport,
  route: string,
  query: Record<string, QueryValue>,
  item: S,
  params?: Record<string, string>,
): Promise<z.output<S>[]> {
  const schema = pageSchema(item);
  const items: z.output<S>[] = [];
  let page = (await cloud.request({ method: 'GET', route, params, query, schema })).data;
  for (let count = 1; ; count++) {
    items.push(...(page.data as z.output<S>[]));
    const next = page.links?.next?.href;
    if (!next || count >= MAX_PAGES) return items;
    page = (await cloud.requestPath(route, cloud.pathOf(next), schema)).data;
  }
}
