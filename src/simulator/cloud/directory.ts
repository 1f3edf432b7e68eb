/**
 * The people side of a simulated tenant: users (each simulated customer user with an API key of their own), groups,
 * space assignments, and what a user can see. Sources: @qlik/api users.d.ts / groups.d.ts / spaces.d.ts (shapes,
 * "assignments are not shown for the owner of a space, who receive all assignableRoles by default", one assignment
 * per space and assignee) and Qlik help's space permission tables (which roles open an app; a member's individual
 * and group roles add up: "the highest permission level is applied").
 */
import type { RoleType } from '@qlik/api/spaces';
import type { IdSource } from '../random';
import type { SimRequest } from '../http/types';
import type { CloudAppRecord, SpaceRecord, SpaceType, TenantStore } from './model';

export interface GroupRecord {
  id: string;
  name: string;
  createdAt: string;
}

export interface UserRecord {
  id: string;
  name: string;
  email: string;
  subject: string;
  status: 'active' | 'disabled';
  groupIds: string[];
  /** The user's own API key (simulated customer users); null for the rollout's service account (tenant.apiKey). */
  apiKey: string | null;
  tenantAdmin: boolean;
  createdAt: string;
}

export interface AssignmentRecord {
  id: string;
  spaceId: string;
  type: 'user' | 'group' | 'bot';
  assigneeId: string;
  roles: RoleType[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/**
 * Roles per space type. Managed: Qlik help "Managing permissions in managed spaces" (Can manage, Can publish, Can
 * contribute, Can view, Has restricted view, Can consume data, Can operate); shared and data: @qlik/api RoleType doc.
 */
const ASSIGNABLE: Record<SpaceType, RoleType[]> = {
  managed: ['consumer', 'contributor', 'dataconsumer', 'facilitator', 'operator', 'publisher', 'basicconsumer'],
  shared: ['codeveloper', 'consumer', 'dataconsumer', 'facilitator', 'producer'],
  data: ['consumer', 'dataconsumer', 'datapreview', 'facilitator', 'operator', 'producer', 'publisher'],
};

/** Roles whose holders may open an app in the space (help: "Open an app"; publisher and dataconsumer may not). */
const OPENING: Record<SpaceType, RoleType[]> = {
  managed: ['consumer', 'contributor', 'facilitator', 'operator', 'basicconsumer'],
  shared: ['codeveloper', 'consumer', 'facilitator', 'producer'],
  data: [],
};

export function assignableRoles(type: SpaceType): RoleType[] {
  return [...ASSIGNABLE[type]];
}

export class TenantDirectory {
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly assignments = new Map<string, AssignmentRecord>();
  private readonly usersByKey = new Map<string, UserRecord>();

  addUser(user: UserRecord): void {
    this.users.set(user.id, user);
    if (user.apiKey) this.usersByKey.set(user.apiKey, user);
  }

  addGroup(group: GroupRecord): void {
    this.groups.set(group.id, group);
  }

  /** The customer user an `Authorization: Bearer <key>` names, if the key is one of theirs. */
  userByKey(key: string): UserRecord | undefined {
    return this.usersByKey.get(key);
  }

  assignmentsOf(spaceId: string): AssignmentRecord[] {
    return [...this.assignments.values()].filter((a) => a.spaceId === spaceId);
  }

  removeSpace(spaceId: string): void {
    for (const assignment of this.assignmentsOf(spaceId)) this.assignments.delete(assignment.id);
  }

  /** A user's roles in a space: their own assignment's and their groups' together. */
  rolesOf(user: UserRecord, spaceId: string): RoleType[] {
    const roles = new Set<RoleType>();
    for (const a of this.assignmentsOf(spaceId)) {
      if ((a.type === 'user' && a.assigneeId === user.id) || (a.type === 'group' && user.groupIds.includes(a.assigneeId))) a.roles.forEach((r) => roles.add(r));
    }
    return [...roles];
  }

  /** Can the user see and open the app? The owner of the space or the app, or a member with an opening role. */
  canOpen(user: UserRecord, app: CloudAppRecord, space: SpaceRecord | undefined): boolean {
    if (user.status !== 'active') return false;
    if (app.ownerId === user.id) return true;
    if (!space) return false; // staged or personal: admins and the owner only
    if (space.ownerId === user.id) return true;
    return this.rolesOf(user, space.id).some((role) => OPENING[space.type].includes(role));
  }
}

/** Who calls: a simulated customer user (by their key), or undefined for the tenant's service account (an admin). */
export function callerOf(tenant: TenantStore, req: SimRequest): UserRecord | undefined {
  const header = req.headers.authorization;
  const key = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  return tenant.directory.userByKey(key);
}

/** What a caller may see of an app: everything for the admin, the space-role rules for a customer user. */
export function visibleTo(tenant: TenantStore, caller: UserRecord | undefined): (app: CloudAppRecord) => boolean {
  if (!caller) return () => true;
  return (app) => tenant.directory.canOpen(caller, app, app.spaceId ? tenant.spaces.get(app.spaceId) : undefined);
}

/** Simulated customer users whose keys the simulator writes next to the tenants' API keys. */
export const CUSTOMER_USERS = [
  { key: 'customer', name: 'Customer User', groups: ['Customers'] },
  { key: 'outsider', name: 'Outsider User', groups: [] as string[] },
] as const;

/** Seeds each tenant: its service account, the groups "Customers" and "Finance", a customer user and an outsider. */
export function seedDirectory(tenant: TenantStore, ids: IdSource, now: string): Record<string, string> {
  const directory = tenant.directory;
  directory.addUser({
    id: tenant.userId, name: 'Rollout Service Account', email: `rollout@${tenant.name}.example`, subject: `qlikbot\\${tenant.userId}`,
    status: 'active', groupIds: [], apiKey: null, tenantAdmin: true, createdAt: now,
  });
  const groupIds = new Map<string, string>();
  for (const name of ['Customers', 'Finance']) {
    const group: GroupRecord = { id: ids.cloudId(`group:${tenant.name}:${name}`), name, createdAt: now };
    directory.addGroup(group);
    groupIds.set(name, group.id);
  }
  const keys: Record<string, string> = {};
  for (const spec of CUSTOMER_USERS) {
    const apiKey = ids.secret(`userkey:${tenant.name}:${spec.key}`);
    directory.addUser({
      id: ids.cloudId(`user:${tenant.name}:${spec.key}`), name: spec.name, email: `${spec.key}@${tenant.name}.example`, subject: `idp\\${spec.key}`,
      status: 'active', groupIds: spec.groups.map((g) => groupIds.get(g) ?? ''), apiKey, tenantAdmin: false, createdAt: now,
    });
    keys[spec.key] = apiKey;
  }
  return keys;
}
