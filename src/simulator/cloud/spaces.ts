/** Spaces (doc QAPI spaces.d.ts): unique names (409), `name` is a case-insensitive contains-search. */
import type { SpaceTypes } from '@qlik/api/spaces';
import { z } from 'zod';
import type { Router } from '../http/router';
import { json, noContent } from '../http/types';
import { readCloudBody, type CloudContext } from './context';
import { cloudError, notFound } from './errors';
import type { SpaceRecord } from './model';
import { paginate } from './paging';
import * as shapes from './shapes';

const spaceCreate = z.object({
  name: z.string().min(1).max(256).regex(/^[^"*?<>/|\\:]+$/, 'must not contain " * ? < > / | \\ :'),
  type: z.enum(['shared', 'managed', 'data']),
  description: z.string().optional(),
});

export function registerSpaces(router: Router, ctx: CloudContext): void {
  const base = '/api/v1/spaces';

  router.on('GET', base, (req) => {
    const tenant = ctx.tenantOf(req);
    const name = req.query.get('name')?.toLowerCase();
    const types = req.query.get('type')?.split(',').map((t) => t.trim().toLowerCase());
    const all = [...tenant.spaces.values()].filter((s) => (!name || s.name.toLowerCase().includes(name)) && (!types || types.includes(s.type)));
    const { page, links, total } = paginate(req, all);
    return json(200, shapes.spaces(tenant, page, total, links, req.baseUrl));
  });

  // "Gets a list of distinct space types available for use in the tenant" (doc QAPI spaces.d.ts getSpaceTypes):
  // an edition without managed spaces does not list 'managed'. Registered before `/:id`, which would match "types".
  router.on('GET', `${base}/types`, (req) => {
    const tenant = ctx.tenantOf(req);
    const types: SpaceTypes = { data: ctx.tenantsWithoutManagedSpaces.has(tenant.name) ? ['shared', 'data'] : ['shared', 'managed', 'data'] };
    return json(200, types);
  });

  router.on('POST', base, (req) => {
    const tenant = ctx.tenantOf(req);
    const body = readCloudBody(req, spaceCreate);
    if (body.type === 'managed' && ctx.tenantsWithoutManagedSpaces.has(tenant.name)) {
      throw cloudError(403, 'SPACES-403', 'Forbidden', `Tenant ${tenant.name}'s edition does not include managed spaces; it cannot receive distributed apps`);
    }
    if (tenant.spacesByName.has(body.name.toLowerCase())) throw cloudError(409, 'SPACES-409', 'Conflict', `A space named "${body.name}" already exists`);
    const now = ctx.clock.nowIso();
    const space: SpaceRecord = {
      id: ctx.ids.cloudId(`space:${tenant.name}`), name: body.name, type: body.type, description: body.description ?? '',
      ownerId: tenant.userId, createdAt: now, updatedAt: now,
    };
    tenant.addSpace(space);
    return json(201, shapes.space(tenant, space, req.baseUrl));
  });

  router.on('GET', `${base}/:id`, (req, { id }) => {
    const tenant = ctx.tenantOf(req);
    const space = tenant.spaces.get(id);
    if (!space) throw notFound(`Space ${id}`);
    return json(200, shapes.space(tenant, space, req.baseUrl));
  });

  router.on('DELETE', `${base}/:id`, (req, { id }) => {
    const tenant = ctx.tenantOf(req);
    const space = tenant.spaces.get(id);
    if (!space) throw notFound(`Space ${id}`);
    if ([...tenant.apps.values()].some((a) => a.spaceId === id)) throw cloudError(412, 'SPACES-412', 'Precondition Failed', 'The space is not empty');
    tenant.spaces.delete(id);
    tenant.spacesByName.delete(space.name.toLowerCase());
    tenant.directory.removeSpace(id);
    return noContent;
  });
}
