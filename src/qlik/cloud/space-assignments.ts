/**
 * Qlik Cloud space assignments (doc QAPI spaces.d.ts: getSpaceAssignments, createSpaceAssignment,
 * updateSpaceAssignment, deleteSpaceAssignment) and the space's `meta` (assignableRoles per space type).
 * "Assignments are not shown for the owner of a space, who receive all assignableRoles by default"; "only one
 * assignment can exist per space, per user or group" (409 on a second); an update takes the complete list of roles.
 */
import { z } from 'zod';
import type { Transport } from '../transport';
import { listAll } from './pagination';

export const AssignmentSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  assigneeId: z.string(),
  roles: z.array(z.string()),
  createdBy: z.string().nullish(),
});
export type Assignment = z.output<typeof AssignmentSchema>;

export const SpaceDetailSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  ownerId: z.string().nullish(),
  meta: z.looseObject({ assignableRoles: z.array(z.string()).nullish(), roles: z.array(z.string()).nullish() }).nullish(),
});
export type SpaceDetail = z.output<typeof SpaceDetailSchema>;

export async function getSpace(cloud: Transport, spaceId: string): Promise<SpaceDetail> {
  return (await cloud.request({ method: 'GET', route: '/api/v1/spaces/{spaceId}', params: { spaceId }, schema: SpaceDetailSchema })).data;
}

export function listAssignments(cloud: Transport, spaceId: string): Promise<Assignment[]> {
  return listAll(cloud, '/api/v1/spaces/{spaceId}/assignments', { limit: 100 }, AssignmentSchema, { spaceId });
}

export async function createAssignment(cloud: Transport, spaceId: string, body: { type: 'user' | 'group'; assigneeId: string; roles: string[] }): Promise<Assignment> {
  return (await cloud.request({ method: 'POST', route: '/api/v1/spaces/{spaceId}/assignments', params: { spaceId }, body, schema: AssignmentSchema })).data;
}

/** PUT with the complete list of roles (the API replaces them). */
export async function updateAssignment(cloud: Transport, spaceId: string, assignmentId: string, roles: string[]): Promise<Assignment> {
  return (await cloud.request({ method: 'PUT', route: '/api/v1/spaces/{spaceId}/assignments/{assignmentId}', params: { spaceId, assignmentId }, body: { roles }, schema: AssignmentSchema })).data;
}

export async function deleteAssignment(cloud: Transport, spaceId: string, assignmentId: string): Promise<void> {
  await cloud.call({ method: 'DELETE', route: '/api/v1/spaces/{spaceId}/assignments/{assignmentId}', params: { spaceId, assignmentId } });
}
