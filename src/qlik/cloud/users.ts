/** Qlik Cloud users: /users/me tells which tenant the credentials reach (its id goes into the IdP). */
import { z } from 'zod';
import type { Transport } from '../transport';

export const MeSchema = z.looseObject({ id: z.string(), tenantId: z.string() });
export type Me = z.output<typeof MeSchema>;

export async function getMe(cloud: Transport): Promise<Me> {
  return (await cloud.request({ method: 'GET', route: '/api/v1/users/me', schema: MeSchema })).data;
}
