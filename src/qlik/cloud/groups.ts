/**
 * Qlik Cloud groups (doc QAPI groups.d.ts getGroups): `filter` takes RFC 7644 (SCIM) expressions, e.g.
 * `name eq "Sales"`; "all conditional statements within this query parameter are case insensitive", while group
 * names themselves are case-sensitive and unique, so the exact name is matched here.
 */
import { z } from 'zod';
import type { Transport } from '../transport';
import { listAll } from './pagination';

export const GroupSchema = z.looseObject({ id: z.string(), name: z.string(), status: z.string().nullish() });
export type Group = z.output<typeof GroupSchema>;

/** A SCIM string literal: quotes and backslashes escaped. */
export function scimString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export async function findGroupsByName(cloud: Transport, name: string): Promise<Group[]> {
  const found = await listAll(cloud, '/api/v1/groups', { filter: `name eq ${scimString(name)}`, limit: 100 }, GroupSchema);
  return found.filter((group) => group.name === name);
}
