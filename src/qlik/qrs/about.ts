/** GET /qrs/about: the QRS health and version probe (first call of a connection check). */
import { z } from 'zod';
import type { Transport } from '../transport';

export const AboutSchema = z.looseObject({ buildVersion: z.string(), databaseProvider: z.string().optional(), nodeType: z.number().optional() });
export type About = z.output<typeof AboutSchema>;

export async function about(qrs: Transport): Promise<About> {
  return (await qrs.request({ method: 'GET', route: '/qrs/about', schema: AboutSchema })).data;
}
