/**
 * Qlik Cloud users: /users/me tells which tenant the credentials reach (its id goes into the IdP) and who they act
 * as (the end-user check); GET /users with a SCIM `filter` (doc QAPI users.d.ts: `name` and `email` support `eq`)
 * resolves a plan's member names to ids.
 */
import { z } from 'zod';
import type { Transport } from '../transport';
import { scimString } from './groups';
import { listAll } from './pagination';

export const MeSchema = z.looseObject({ id: z.string(), tenantId: z.string(), name: z.string().nullish() });
export type Me = z.output<typeof MeSchema>;

export async function getMe(cloud: Transport): Promise<Me> {
  return (await cloud.request({ method: 'GET', route: '/api/v1/users/me', schema: MeSchema })).data;
}

export const UserSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  status: z.string().nullish(),
  assignedGroups: z.array(z.looseObject({ id: z.string(), name: z.string().nullish() })).nullish(),
});
export type User = z.output<typeof UserSchema>;

/** Users by email (the reference contains @) or by exact name; the filter is case-insensitive, so names are re-checked. */
export async function findUsers(cloud: Transport, reference: string): Promise<User[]> {
  const byEmail = reference.includes('@');
  const found = await listAll(cloud, '/api/v1/users', { filter: `${byEmail ? 'email' : 'name'} eq ${scimString(reference)}`, limit: 100 }, UserSchema);
  return found.filter((user) => (byEmail ? user.email?.toLowerCase() === reference.toLowerCase() : user.name === reference) && user.status !== 'deleted');
}
