/**
 * Qlik Cloud response bodies. Every builder returns an @qlik/api type, so `tsc` checks the simulator's shapes
 * against Qlik's published SDK (doc QAPI). `import type` only: @qlik/api is a devDependency.
 */
import type { NxApp, NxAttributes } from '@qlik/api/apps';
import type { IDP, IDPArray } from '@qlik/api/identity-providers';
import type { ItemResultResponseBody, ItemsListItemsResponseBody } from '@qlik/api/items';
import type { Reload, Reloads } from '@qlik/api/reloads';
import type { Space, Spaces } from '@qlik/api/spaces';
import type { User } from '@qlik/api/users';
import { assignableRoles } from './directory';
import type { CloudAppRecord, CloudReloadRecord, IdpRecord, SpaceRecord, TenantStore } from './model';

export interface PageLinks {
  self: { href: string };
  next?: { href: string };
  prev?: { href: string };
}

export function userMe(tenant: TenantStore, baseUrl: string): User {
  return {
    id: tenant.userId, tenantId: tenant.tenantId, name: 'Rollout Service Account', subject: `qlikbot\\${tenant.userId}`,
    email: `rollout@${tenant.name}.example`, status: 'active', createdAt: '2024-01-01T00:00:00.000Z', lastUpdatedAt: '2024-01-01T00:00:00.000Z',
    assignedRoles: [{ id: '605a1c2151382ffc836af862', name: 'TenantAdmin', type: 'default', level: 'admin' }],
    links: { self: { href: `${baseUrl}/api/v1/users/${tenant.userId}` } },
  };
}

export function identityProvider(idp: IdpRecord): IDP {
  const out: IDP = {
    id: idp.id, tenantIds: [...idp.tenantIds], provider: idp.provider as IDP['provider'], protocol: idp.protocol as IDP['protocol'],
    interactive: idp.interactive, active: idp.active, description: idp.description, created: idp.created, lastUpdated: idp.lastUpdated,
    clockToleranceSec: 5,
  };
  // The multi-cloud token is write-only: it is never echoed back.
  if (idp.options) (out as { options?: Record<string, unknown> }).options = idp.options;
  return out;
}

export function identityProviders(page: IdpRecord[], links: PageLinks): IDPArray {
  return { data: page.map(identityProvider), links };
}

export function space(tenant: TenantStore, s: SpaceRecord, baseUrl: string): Space {
  return {
    id: s.id, name: s.name, type: s.type, description: s.description, ownerId: s.ownerId, tenantId: tenant.tenantId,
    createdAt: s.createdAt, createdBy: s.ownerId, updatedAt: s.updatedAt,
    links: { self: { href: `${baseUrl}/api/v1/spaces/${s.id}` }, assignments: { href: `${baseUrl}/api/v1/spaces/${s.id}/assignments` } },
    meta: {
      actions: ['change_owner', 'create', 'delete', 'read', 'update', 'publish'],
      roles: [],
      assignableRoles: assignableRoles(s.type),
    },
  };
}

export function spaces(tenant: TenantStore, page: SpaceRecord[], total: number, links: PageLinks, baseUrl: string): Spaces {
  return { data: page.map((s) => space(tenant, s, baseUrl)), links, meta: { count: total } };
}

/** App attributes. `spaceId` is not in NxAttributes but real responses carry it (code QCE-CURL). */
function appAttributes(tenant: TenantStore, a: CloudAppRecord): NxAttributes & { spaceId?: string } {
  const attributes: NxAttributes & { spaceId?: string } = {
    id: a.id, name: a.name, description: a.description, createdDate: a.createdDate, modifiedDate: a.modifiedDate,
    lastReloadTime: a.lastReloadTime, owner: a.ownerId ?? '', ownerId: a.ownerId ?? '', published: a.distributed,
    publishTime: a.publishTime, originAppId: a.originAppId, hasSectionAccess: false, encrypted: true, usage: 'ANALYTICS',
    thumbnail: '', dynamicColor: '', isDirectQueryMode: false,
    custom: { _simulatorTenant: tenant.name },
  };
  if (a.spaceId) attributes.spaceId = a.spaceId;
  return attributes;
}

export function app(tenant: TenantStore, a: CloudAppRecord): NxApp {
  return {
    attributes: appAttributes(tenant, a),
    // Distributed apps are view-only in the cloud (doc HLP-PUBCOLL).
    privileges: a.distributed ? ['read', 'delete', 'exportappdata'] : ['read', 'update', 'delete', 'reload', 'export', 'duplicate', 'change_owner', 'change_space', 'exportappdata'],
    create: [{ resource: 'sheet', canCreate: !a.distributed }, { resource: 'bookmark', canCreate: true }],
  };
}

export function item(tenant: TenantStore, a: CloudAppRecord, baseUrl: string): ItemResultResponseBody {
  const result: ItemResultResponseBody = {
    id: a.itemId, name: a.name, description: a.description, resourceType: 'app', resourceId: a.id, resourceSubType: '',
    resourceAttributes: appAttributes(tenant, a), resourceCustomAttributes: null, resourceCreatedAt: a.createdDate,
    resourceUpdatedAt: a.modifiedDate, resourceReloadEndTime: a.lastReloadTime, resourceReloadStatus: 'ok',
    resourceSize: { appFile: a.fileSize, appMemory: Math.round(a.fileSize * 1.4) }, tenantId: tenant.tenantId,
    createdAt: a.createdDate, updatedAt: a.modifiedDate, creatorId: a.ownerId ?? '', updaterId: a.ownerId ?? '',
    actions: ['read'], collectionIds: [], isFavorited: false,
    links: { self: { href: `${baseUrl}/api/v1/items/${a.itemId}` }, open: { href: `${baseUrl}/sense/app/${a.id}` } },
    meta: { actions: ['read'], collections: [], isFavorited: false, tags: [] },
  };
  if (a.spaceId) result.spaceId = a.spaceId;
  if (a.ownerId) result.ownerId = a.ownerId;
  return result;
}

/** With noActions=true "the actions-array will be omitted from the response" (doc QAPI items.d.ts). */
export function items(tenant: TenantStore, page: CloudAppRecord[], links: PageLinks, baseUrl: string, options: { noActions?: boolean } = {}): ItemsListItemsResponseBody {
  return {
    data: page.map((a) => {
      const entry = item(tenant, a, baseUrl);
      if (options.noActions) delete (entry as { actions?: unknown }).actions;
      return entry;
    }),
    links,
  };
}

export function reload(tenant: TenantStore, r: CloudReloadRecord, baseUrl: string): Reload {
  return {
    id: r.id, appId: r.appId, tenantId: tenant.tenantId, userId: tenant.userId, type: 'external', status: r.status,
    partial: false, creationTime: r.creationTime, startTime: r.startTime, endTime: r.endTime, log: '',
    ...(r.errorMessage ? { errorCode: 'RELOAD-FAILED', errorMessage: r.errorMessage } : {}),
    links: { self: { href: `${baseUrl}/api/v1/reloads/${r.id}` } },
  };
}

export function reloads(tenant: TenantStore, page: CloudReloadRecord[], links: PageLinks, baseUrl: string): Reloads {
  return { data: page.map((r) => reload(tenant, r, baseUrl)), links };
}
