/** Qlik Cloud apps: read a distributed copy's attributes, move it into a space, delete a duplicate. */
import { z } from 'zod';
import type { Transport } from '../transport';

export const CloudAppSchema = z.looseObject({
  attributes: z.looseObject({
    id: z.string(),
    name: z.string(),
    lastReloadTime: z.string().nullish(),
    originAppId: z.string().nullish(),
    published: z.boolean().nullish(),
    ownerId: z.string().nullish(),
    spaceId: z.string().nullish(),
  }),
  spaceId: z.string().nullish(),
});
export type CloudApp = z.output<typeof CloudAppSchema>;

/** The space an app is in: the responses carry it top-level (and some versions in attributes). */
export function spaceOf(app: CloudApp): string | null {
  return app.spaceId ?? app.attributes.spaceId ?? null;
}

export async function getCloudApp(cloud: Transport, appId: string): Promise<CloudApp> {
  return (await cloud.request({ method: 'GET', route: '/api/v1/apps/{appId}', params: { appId }, schema: CloudAppSchema })).data;
}

/** "Set space" on a staged distributed app. */
export async function moveAppToSpace(cloud: Transport, appId: string, spaceId: string): Promise<CloudApp> {
  return (await cloud.request({ method: 'PUT', route: '/api/v1/apps/{appId}/space', params: { appId }, body: { spaceId }, schema: CloudAppSchema })).data;
}

export async function deleteCloudApp(cloud: Transport, appId: string): Promise<void> {
  await cloud.call({ method: 'DELETE', route: '/api/v1/apps/{appId}', params: { appId } });
}
