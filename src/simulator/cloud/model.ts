/** In-memory Qlik Cloud tenants: each tenant indexes its objects by id and by the keys the tool searches on. */
import { TenantDirectory } from './directory';

export interface IdpRecord {
  id: string;
  provider: string;
  protocol: string;
  interactive: boolean;
  active: boolean;
  description: string;
  tenantIds: string[];
  /** Multi-cloud IdPs: the deployment's local bearer token (Qlik Cloud format). Never echoed back. */
  base64Encoded: string | null;
  options: Record<string, unknown> | null;
  created: string;
  lastUpdated: string;
}

export type SpaceType = 'shared' | 'managed' | 'data';

export interface SpaceRecord {
  id: string;
  name: string;
  type: SpaceType;
  description: string;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
}

export interface CloudAppRecord {
  id: string;
  itemId: string;
  name: string;
  description: string;
  /** QSEoW app id for distributed apps; null for apps made in the cloud. */
  sourceAppId: string | null;
  spaceId: string | null;
  ownerId: string | null;
  createdDate: string;
  modifiedDate: string;
  lastReloadTime: string;
  /** "For Qlik Cloud, indicates whether the app has been distributed from client-managed" (apps.d.ts). */
  distributed: boolean;
  /** Set when published in Qlik Cloud (POST /apps/{id}/publish); empty for distributed apps. */
  publishTime: string;
  originAppId: string;
  fileSize: number;
  distributions: number;
}

export interface CloudReloadRecord {
  id: string;
  appId: string;
  status: 'QUEUED' | 'RELOADING' | 'SUCCEEDED' | 'FAILED';
  errorMessage: string;
  creationTime: string;
  startTime: string;
  endTime: string;
}

export class TenantStore {
  readonly idps = new Map<string, IdpRecord>();
  readonly spaces = new Map<string, SpaceRecord>();
  /** Lower-cased space name -> space (names are unique per tenant). */
  readonly spacesByName = new Map<string, SpaceRecord>();
  readonly apps = new Map<string, CloudAppRecord>();
  /** QSEoW app id -> the distributed cloud app (natural key of a distribution). */
  readonly appsBySource = new Map<string, CloudAppRecord>();
  readonly appsByItem = new Map<string, CloudAppRecord>();
  readonly reloads = new Map<string, CloudReloadRecord>();
  /** Users, groups, space assignments (directory.ts). */
  readonly directory = new TenantDirectory();

  constructor(
    readonly name: string,
    readonly index: number,
    readonly address: string,
    readonly url: string,
    readonly tenantId: string,
    readonly apiKey: string,
    readonly userId: string,
  ) {}

  addSpace(space: SpaceRecord): void {
    this.spaces.set(space.id, space);
    this.spacesByName.set(space.name.toLowerCase(), space);
  }

  addApp(app: CloudAppRecord): void {
    this.apps.set(app.id, app);
    this.appsByItem.set(app.itemId, app);
    if (app.sourceAppId && app.distributed) this.appsBySource.set(app.sourceAppId, app);
  }

  removeApp(app: CloudAppRecord): void {
    this.apps.delete(app.id);
    this.appsByItem.delete(app.itemId);
    if (app.sourceAppId && this.appsBySource.get(app.sourceAppId) === app) this.appsBySource.delete(app.sourceAppId);
  }

  /** The active multi-cloud IdPs (protocol qsefw-local-bearer-token) of this tenant. */
  multiCloudIdps(): IdpRecord[] {
    return [...this.idps.values()].filter((i) => i.active && i.protocol === 'qsefw-local-bearer-token');
  }
}

/** Tenant URLs as deployments name them: lower case, no trailing slash. */
export function normalizeUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '');
}
