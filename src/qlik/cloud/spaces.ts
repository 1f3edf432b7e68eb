/** Qlik Cloud spaces: the managed space distributed apps are put in. */
import { z } from 'zod';
import type { Transport } from '../transport';
import { listAll } from './pagination';

export const SpaceSchema = z.looseObject({ id: z.string(), name: z.string(), type: z.string() });
export type Space = z.output<typeof SpaceSchema>;

/** The space with exactly this name and type (the API's `name` filter is a case-insensitive contains-search). */
export async function findSpace(cloud: Transport, name: string, type: string): Promise<Space | undefined> {
  const candidates = await listAll(cloud, '/api/v1/spaces', { type, name, limit: 100 }, SpaceSchema);
  return candidates.find((space) => space.name === name && space.type === type);
}

export async function createSpace(cloud: Transport, name: string, type: string, description?: string): Promise<Space> {
  return (await cloud.request({ method: 'POST', route: '/api/v1/spaces', body: { name, type, description }, schema: SpaceSchema })).data;
}
