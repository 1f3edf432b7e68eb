/**
 * Apps, items, reloads and users/me (doc QAPI apps/items/reloads/users). Distributed apps arrive staged (no space,
 * no owner; created by the distribution engine); PUT /apps/{id}/space puts them in a managed or shared space.
 */
import { z } from 'zod';
import type { Router } from '../http/router';
import { json, type SimRequest } from '../http/types';
import { readCloudBody, type CloudContext } from './context';
import { callerOf, visibleTo } from './directory';
import { userShape } from './directory-routes';
import { badRequest, cloudError, notFound } from './errors';
import type { CloudAppRecord, CloudReloadRecord, TenantStore } from './model';
import { paginate } from './paging';
import * as shapes from './shapes';

const spaceBody = z.object({ spaceId: z.string().min(1) });
const publishBody = z.object({ spaceId: z.string().min(1), attributes: z.object({ name: z.string().optional(), description: z.string().optional() }).optional() });
const republishBody = z.object({ targetId: z.string().min(1), attributes: z.object({ name: z.string().optional(), description: z.string().optional() }).optional() });
const reloadBody = z.object({ appId: z.string().min(1), partial: z.boolean().optional() });

function appOf(ctx: CloudContext, req: SimRequest, id: string): { tenant: TenantStore; app: CloudAppRecord } {
  const tenant = ctx.tenantOf(req);
  const app = tenant.apps.get(id);
  if (!app) throw notFound(`App ${id}`);
  return { tenant, app };
}

function assignableSpace(tenant: TenantStore, spaceId: string, purpose: 'move' | 'publish') {
  const space = tenant.spaces.get(spaceId);
  if (!space) throw notFound(`Space ${spaceId}`);
  const allowed = purpose === 'publish' ? ['managed'] : ['managed', 'shared'];
  if (!allowed.includes(space.type)) throw badRequest(`space ${spaceId} is a ${space.type} space; ${purpose === 'publish' ? 'publish needs a managed space' : 'apps go to a managed or shared space'}`);
  return space;
}

/**
 * GET /api/v1/items filters (doc QAPI items.d.ts getItems). `shared` (deprecated): "whether or not to return items in
 * a shared space"; false keeps items outside shared-type spaces, which is how Qlik's move-distributed-apps example
 * lists staged apps. Assumption A4 (variant items-staged): staged apps (no space, no owner) are listed only when
 * `noActions=true` (the example's query) or always.
 */
function itemFilter(ctx: CloudContext, tenant: TenantStore, req: SimRequest): (a: CloudAppRecord) => boolean {
  const resourceType = req.query.get('resourceType');
  const resourceId = req.query.get('resourceId');
  const resourceIds = req.query.get('resourceIds')?.split(',');
  if ((resourceId || resourceIds) && !resourceType) throw badRequest('resourceId and resourceIds require resourceType');
  const name = req.query.get('name')?.toLowerCase();
  const spaceId = req.query.get('spaceId');
  const shared = booleanParam(req, 'shared');
  const noActions = booleanParam(req, 'noActions') === true;
  const stagedListed = noActions || ctx.variants['items-staged'] === 'always';
  const inSharedSpace = (a: CloudAppRecord) => a.spaceId !== null && tenant.spaces.get(a.spaceId)?.type === 'shared';
  return (a) =>
    (!resourceType || resourceType.split(',').includes('app')) &&
    (!resourceId || a.id === resourceId) &&
    (!resourceIds || resourceIds.includes(a.id)) &&
    (!name || a.name.toLowerCase().includes(name)) &&
    (!spaceId || a.spaceId === spaceId) &&
    (shared === undefined || inSharedSpace(a) === shared) &&
    (stagedListed || !isStaged(a));
}

function isStaged(a: CloudAppRecord): boolean {
  return a.distributed && a.spaceId === null && a.ownerId === null;
}

function booleanParam(req: SimRequest, name: string): boolean | undefined {
  const raw = req.query.get(name);
  if (raw === null) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw badRequest(`${name} must be true or false`);
}

export function registerApps(router: Router, ctx: CloudContext): void {
  router.on('GET', '/api/v1/users/me', (req) => {
    const tenant = ctx.tenantOf(req);
    const caller = callerOf(tenant, req);
    return json(200, caller ? userShape(tenant, caller, req.baseUrl) : shapes.userMe(tenant, req.baseUrl));
  });

  router.on('GET', '/api/v1/items', (req) => {
    const tenant = ctx.tenantOf(req);
    const keep = itemFilter(ctx, tenant, req);
    // A customer user sees only what their space roles open (directory.ts); the service account sees everything.
    const visible = visibleTo(tenant, callerOf(tenant, req));
    const { page, links } = paginate(req, [...tenant.apps.values()].filter((a) => keep(a) && visible(a)));
    return json(200, shapes.items(tenant, page, links, req.baseUrl, { noActions: req.query.get('noActions') === 'true' }));
  });

  router.on('GET', '/api/v1/items/:id', (req, { id }) => {
    const tenant = ctx.tenantOf(req);
    const app = tenant.appsByItem.get(id);
    if (!app || !visibleTo(tenant, callerOf(tenant, req))(app)) throw notFound(`Item ${id}`);
    return json(200, shapes.item(tenant, app, req.baseUrl));
  });

  router.on('GET', '/api/v1/apps/:id', (req, { id }) => {
    const { tenant, app } = appOf(ctx, req, id);
    if (!visibleTo(tenant, callerOf(tenant, req))(app)) throw cloudError(403, 'APPS-403', 'Forbidden', `no access to app ${id}: the user is not the owner nor a member of its space with a role that opens apps`);
    return json(200, shapes.app(tenant, app));
  });

  router.on('DELETE', '/api/v1/apps/:id', (req, { id }) => {
    const { tenant, app } = appOf(ctx, req, id);
    tenant.removeApp(app);
    return json(200, {});
  });

  router.on('PUT', '/api/v1/apps/:id/space', (req, { id }) => {
    const { tenant, app } = appOf(ctx, req, id);
    const body = readCloudBody(req, spaceBody);
    app.spaceId = assignableSpace(tenant, body.spaceId, 'move').id;
    app.modifiedDate = ctx.clock.nowIso();
    return json(200, shapes.app(tenant, app));
  });

  router.on('DELETE', '/api/v1/apps/:id/space', (req, { id }) => {
    const { tenant, app } = appOf(ctx, req, id);
    app.spaceId = null;
    app.modifiedDate = ctx.clock.nowIso();
    return json(200, shapes.app(tenant, app));
  });

  // Cloud-native publish (minimal): a published copy in a managed space, linked to its source by originAppId.
  router.on('POST', '/api/v1/apps/:id/publish', (req, { id }) => {
    const { tenant, app } = appOf(ctx, req, id);
    const body = readCloudBody(req, publishBody);
    const space = assignableSpace(tenant, body.spaceId, 'publish');
    const now = ctx.clock.nowIso();
    const copy: CloudAppRecord = {
      ...app, id: ctx.ids.guid(`cloudapp:${tenant.name}`), itemId: ctx.ids.cloudId(`item:${tenant.name}`), name: body.attributes?.name ?? app.name,
      sourceAppId: null, distributed: false, spaceId: space.id, ownerId: tenant.userId, createdDate: now, modifiedDate: now,
      publishTime: now, originAppId: app.id, distributions: 0,
    };
    tenant.addApp(copy);
    return json(200, shapes.app(tenant, copy));
  });

  router.on('PUT', '/api/v1/apps/:id/publish', (req, { id }) => {
    const { tenant, app } = appOf(ctx, req, id);
    const body = readCloudBody(req, republishBody);
    const target = tenant.apps.get(body.targetId);
    if (!target) throw notFound(`Target app ${body.targetId}`);
    if (target.originAppId !== app.id) throw cloudError(403, 'APPS-403', 'Forbidden', `app ${target.id} was not published from ${app.id}`);
    target.lastReloadTime = app.lastReloadTime;
    target.modifiedDate = ctx.clock.nowIso();
    target.publishTime = target.modifiedDate;
    if (body.attributes?.name) target.name = body.attributes.name;
    return json(200, shapes.app(tenant, target));
  });

  router.on('POST', '/api/v1/reloads', (req) => {
    const { tenant, app } = appOf(ctx, req, readCloudBody(req, reloadBody).appId);
    const now = ctx.clock.nowIso();
    // Distributed apps cannot be reloaded in the cloud; they are reloaded on QSEoW (doc HLP-RELOAD-CLOUD).
    const reload: CloudReloadRecord = {
      id: ctx.ids.cloudId(`reload:${tenant.name}`), appId: app.id, status: app.distributed ? 'FAILED' : 'SUCCEEDED',
      errorMessage: app.distributed ? 'Apps distributed from Qlik Sense Enterprise on Windows are reloaded on the source site' : '',
      creationTime: now, startTime: now, endTime: now,
    };
    if (!app.distributed) app.lastReloadTime = now;
    tenant.reloads.set(reload.id, reload);
    return json(201, shapes.reload(tenant, reload, req.baseUrl));
  });

  router.on('GET', '/api/v1/reloads', (req) => {
    const tenant = ctx.tenantOf(req);
    const appId = req.query.get('appId');
    const { page, links } = paginate(req, [...tenant.reloads.values()].filter((r) => !appId || r.appId === appId));
    return json(200, shapes.reloads(tenant, page, links, req.baseUrl));
  });

  router.on('GET', '/api/v1/reloads/:id', (req, { id }) => {
    const tenant = ctx.tenantOf(req);
    const reload = tenant.reloads.get(id);
    if (!reload) throw notFound(`Reload ${id}`);
    return json(200, shapes.reload(tenant, reload, req.baseUrl));
  });
}
