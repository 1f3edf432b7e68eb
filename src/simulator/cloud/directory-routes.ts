/**
 * Users, groups and space assignments (doc QAPI users.d.ts, groups.d.ts, spaces.d.ts). Lists take the RFC 7644
 * `filter` the tool sends (`<field> eq "<value>"`, joined by `or`; case-insensitive as the docs say); anything else
 * answers 400 rather than being silently ignored. Assignments: roles must be in the space type's assignableRoles
 * (400), one per space and assignee (409), PUT replaces the complete roles list.
 */
import type { Group, Groups } from '@qlik/api/groups';
import type { Assignment, Assignments, RoleType } from '@qlik/api/spaces';
import type { User, Users } from '@qlik/api/users';
import { z } from 'zod';
import type { Router } from '../http/router';
import { json, noContent, type SimRequest } from '../http/types';
import { readCloudBody, type CloudContext } from './context';
import { assignableRoles, type AssignmentRecord, type GroupRecord, type UserRecord } from './directory';
import { badRequest, cloudError, notFound } from './errors';
import type { SpaceRecord, TenantStore } from './model';
import { paginate } from './paging';
import type { PageLinks } from './shapes';

const assignmentCreate = z.object({ type: z.enum(['user', 'group', 'bot']), assigneeId: z.string().min(1), roles: z.array(z.string()).min(1) });
const assignmentUpdate = z.object({ roles: z.array(z.string()).min(1) });

/** `name eq "A" or email eq "b@c"` into [field, value] pairs; null = no filter. */
function parseFilter(req: SimRequest, fields: string[]): Array<[string, string]> | null {
  const filter = req.query.get('filter');
  if (filter === null || filter.trim() === '') return null;
  const terms = filter.split(/\s+or\s+/i).map((term) => /^\(?\s*([A-Za-z.]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\)?$/i.exec(term.trim()));
  if (terms.some((m) => !m || !fields.includes(m[1]))) throw badRequest(`unsupported filter "${filter}" (the simulator takes ${fields.join('|')} eq "<value>", joined by or)`);
  return terms.map((m) => [m![1], m![2].replace(/\\(.)/g, '$1').toLowerCase()]);
}

function matches(filter: Array<[string, string]> | null, record: Record<string, unknown>): boolean {
  return !filter || filter.some(([field, value]) => String(record[field] ?? '').toLowerCase() === value);
}

export function userShape(tenant: TenantStore, u: UserRecord, baseUrl: string): User {
  return {
    id: u.id, tenantId: tenant.tenantId, name: u.name, email: u.email, subject: u.subject, status: u.status, createdAt: u.createdAt, lastUpdatedAt: u.createdAt,
    assignedRoles: u.tenantAdmin ? [{ id: '605a1c2151382ffc836af862', name: 'TenantAdmin', type: 'default', level: 'admin' }] : [{ id: '605a1c2151382ffc836af863', name: 'Consumer', type: 'default', level: 'user' }],
    assignedGroups: u.groupIds.map((id) => ({ id, name: tenant.directory.groups.get(id)?.name ?? '', assignedRoles: [] })),
    links: { self: { href: `${baseUrl}/api/v1/users/${u.id}` } },
  };
}

function groupShape(tenant: TenantStore, g: GroupRecord, baseUrl: string): Group {
  return { id: g.id, name: g.name, tenantId: tenant.tenantId, status: 'active', providerType: 'idp', createdAt: g.createdAt, lastUpdatedAt: g.createdAt, links: { self: { href: `${baseUrl}/api/v1/groups/${g.id}` } } };
}

function assignmentShape(tenant: TenantStore, a: AssignmentRecord, baseUrl: string): Assignment {
  return {
    id: a.id, spaceId: a.spaceId, tenantId: tenant.tenantId, type: a.type, assigneeId: a.assigneeId, roles: [...a.roles],
    createdAt: a.createdAt, createdBy: a.createdBy, updatedAt: a.updatedAt, updatedBy: a.updatedBy,
    links: { self: { href: `${baseUrl}/api/v1/spaces/${a.spaceId}/assignments/${a.id}` }, space: { href: `${baseUrl}/api/v1/spaces/${a.spaceId}` } },
  };
}

function assignments(tenant: TenantStore, page: AssignmentRecord[], total: number, links: PageLinks, baseUrl: string): Assignments {
  return { data: page.map((a) => assignmentShape(tenant, a, baseUrl)), links, meta: { count: total } };
}

function checkRoles(space: SpaceRecord, roles: string[]): RoleType[] {
  const allowed = assignableRoles(space.type);
  const refused = roles.filter((role) => !(allowed as string[]).includes(role));
  if (refused.length > 0) throw badRequest(`role(s) ${refused.join(', ')} cannot be assigned in a ${space.type} space; assignableRoles: ${allowed.join(', ')}`);
  return roles as RoleType[];
}

export function registerDirectory(router: Router, ctx: CloudContext): void {
  router.on('GET', '/api/v1/users', (req) => {
    const tenant = ctx.tenantOf(req);
    const filter = parseFilter(req, ['id', 'name', 'email', 'subject', 'status']);
    const all = [...tenant.directory.users.values()].filter((u) => matches(filter, { ...u }));
    const { page, links } = paginate(req, all, 20);
    const body: Users = { data: page.map((u) => userShape(tenant, u, req.baseUrl)), links };
    return json(200, body);
  });

  router.on('GET', '/api/v1/users/:id', (req, { id }) => {
    const tenant = ctx.tenantOf(req);
    const user = tenant.directory.users.get(id);
    if (!user) throw notFound(`User ${id}`);
    return json(200, userShape(tenant, user, req.baseUrl));
  });

  router.on('GET', '/api/v1/groups', (req) => {
    const tenant = ctx.tenantOf(req);
    const filter = parseFilter(req, ['id', 'name']);
    const all = [...tenant.directory.groups.values()].filter((g) => matches(filter, { ...g }));
    const { page, links } = paginate(req, all, 20);
    const body: Groups = { data: page.map((g) => groupShape(tenant, g, req.baseUrl)), links };
    return json(200, body);
  });

  router.on('GET', '/api/v1/groups/:id', (req, { id }) => {
    const tenant = ctx.tenantOf(req);
    const group = tenant.directory.groups.get(id);
    if (!group) throw notFound(`Group ${id}`);
    return json(200, groupShape(tenant, group, req.baseUrl));
  });

  const spaceOf = (req: SimRequest, spaceId: string): { tenant: TenantStore; space: SpaceRecord } => {
    const tenant = ctx.tenantOf(req);
    const space = tenant.spaces.get(spaceId);
    if (!space) throw notFound(`Space ${spaceId}`);
    return { tenant, space };
  };
  const assignmentOf = (req: SimRequest, spaceId: string, id: string) => {
    const { tenant, space } = spaceOf(req, spaceId);
    const assignment = tenant.directory.assignments.get(id);
    if (!assignment || assignment.spaceId !== space.id) throw notFound(`Assignment ${id}`);
    return { tenant, space, assignment };
  };

  router.on('GET', '/api/v1/spaces/:id/assignments', (req, { id }) => {
    const { tenant, space } = spaceOf(req, id);
    const type = req.query.get('type');
    const assigneeId = req.query.get('assigneeId');
    const all = tenant.directory.assignmentsOf(space.id).filter((a) => (!type || a.type === type) && (!assigneeId || a.assigneeId === assigneeId));
    const { page, links, total } = paginate(req, all);
    return json(200, assignments(tenant, page, total, links, req.baseUrl));
  });

  router.on('POST', '/api/v1/spaces/:id/assignments', (req, { id }) => {
    const { tenant, space } = spaceOf(req, id);
    const body = readCloudBody(req, assignmentCreate);
    const roles = checkRoles(space, body.roles);
    const known = body.type === 'group' ? tenant.directory.groups.has(body.assigneeId) : tenant.directory.users.has(body.assigneeId);
    if (!known) throw badRequest(`${body.type} ${body.assigneeId} does not exist in this tenant`);
    if (tenant.directory.assignmentsOf(space.id).some((a) => a.assigneeId === body.assigneeId)) {
      throw cloudError(409, 'SPACES-409', 'Conflict', `${body.assigneeId} already has an assignment in space ${space.id}`);
    }
    const now = ctx.clock.nowIso();
    const assignment: AssignmentRecord = {
      id: ctx.ids.cloudId(`assignment:${tenant.name}`), spaceId: space.id, type: body.type, assigneeId: body.assigneeId, roles,
      createdAt: now, createdBy: tenant.userId, updatedAt: now, updatedBy: tenant.userId,
    };
    tenant.directory.assignments.set(assignment.id, assignment);
    return json(201, assignmentShape(tenant, assignment, req.baseUrl));
  });

  router.on('GET', '/api/v1/spaces/:id/assignments/:assignmentId', (req, { id, assignmentId }) => {
    const { tenant, assignment } = assignmentOf(req, id, assignmentId);
    return json(200, assignmentShape(tenant, assignment, req.baseUrl));
  });

  router.on('PUT', '/api/v1/spaces/:id/assignments/:assignmentId', (req, { id, assignmentId }) => {
    const { tenant, space, assignment } = assignmentOf(req, id, assignmentId);
    assignment.roles = checkRoles(space, readCloudBody(req, assignmentUpdate).roles);
    assignment.updatedAt = ctx.clock.nowIso();
    assignment.updatedBy = tenant.userId;
    return json(200, assignmentShape(tenant, assignment, req.baseUrl));
  });

  router.on('DELETE', '/api/v1/spaces/:id/assignments/:assignmentId', (req, { id, assignmentId }) => {
    const { tenant, assignment } = assignmentOf(req, id, assignmentId);
    tenant.directory.assignments.delete(assignment.id);
    return noContent;
  });
}
