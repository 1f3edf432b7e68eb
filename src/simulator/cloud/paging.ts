/**
 * Cursor pagination as Qlik Cloud lists do it (doc QAPI items/spaces/identity-providers): `limit` (1..100),
 * an opaque `next`/`prev` cursor, and `links.self/next/prev.href`.
 */
import type { SimRequest } from '../http/types';
import { badRequest } from './errors';
import type { PageLinks } from './shapes';

const encode = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

function decode(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const offset = text.startsWith('o:') ? Number(text.slice(2)) : NaN;
  if (!Number.isInteger(offset) || offset < 0) throw badRequest(`invalid page cursor "${cursor}"`);
  return offset;
}

export interface Page<T> {
  page: T[];
  links: PageLinks;
  total: number;
}

export function paginate<T>(req: SimRequest, all: T[], defaultLimit = 10): Page<T> {
  const limitParam = req.query.get('limit');
  const limit = limitParam === null ? defaultLimit : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badRequest(`limit must be an integer between 1 and 100, got "${limitParam}"`);
  const cursor = req.query.get('next') ?? req.query.get('prev');
  const offset = cursor ? decode(cursor) : 0;
  const page = all.slice(offset, offset + limit);
  const href = (cursorValue: string | null) => {
    const q = new URLSearchParams(req.query);
    q.delete('next');
    q.delete('prev');
    if (cursorValue) q.set(cursorValue.startsWith('n') ? 'next' : 'prev', cursorValue.slice(1));
    const qs = q.toString();
    return `${req.baseUrl}${req.path}${qs ? `?${qs}` : ''}`;
  };
  const links: PageLinks = { self: { href: `${req.baseUrl}${req.path}${req.query.size ? `?${req.query.toString()}` : ''}` } };
  if (offset + limit < all.length) links.next = { href: href(`n${encode(offset + limit)}`) };
  if (offset > 0) links.prev = { href: href(`p${encode(Math.max(0, offset - limit))}`) };
  return { page, links, total: all.length };
}
