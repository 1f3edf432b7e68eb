/**
 * Who can open what is published: the managed space's members (plan managedSpace.members) and the end-user check.
 *
 * A created managed space has only its owner (the rollout's service account), so no customer could open a
 * distributed app. ensureSpaceMembers resolves the plan's group and user names to ids in the tenant, checks the
 * roles against the space's own `meta.assignableRoles`, and makes the assignments idempotently (doc QAPI spaces.d.ts:
 * one assignment per space and assignee, PUT takes the complete roles list): missing ones created, roles updated,
 * other assignments left alone unless the plan asks for exactly its list. On a space that existed before, members
 * that someone else assigned keep the roles they have (the plan's are added). When nobody but the owner can open
 * apps there, the tenant says so (a warning, or a failure under noConsumers: fail).
 *
 * checkCustomerAccess is the end-user check Qlik's platform-operations deploy example makes before calling a
 * deployment done: with the plan's verification identity (an API key of a customer user, by reference), each
 * published app must be in that user's items listing and open (GET /api/v1/apps/{id}). Without one, it reads the
 * assignments and says that is all it did.
 */
import type { Logger } from 'pino';
import { APP_OPENING_ROLES, MANAGED_SPACE_ROLES, type SpaceAccessSpec, type SpaceMemberSpec, type TenantSpec } from '../plan/types';
import { cloudClient } from '../qlik/cloud/client';
import { findGroupsByName } from '../qlik/cloud/groups';
import { AppItemSchema } from '../qlik/cloud/items';
import { listAll } from '../qlik/cloud/pagination';
import { createAssignment, deleteAssignment, getSpace, listAssignments, updateAssignment, type Assignment } from '../qlik/cloud/space-assignments';
import { findUsers, getMe, UserSchema } from '../qlik/cloud/users';
import { configFailure, isHttpStatus, notYetFailure } from '../qlik/errors';
import type { Transport } from '../qlik/transport';
import { sanitizeForDisplay } from '../shared/display';
import type { CustomerAccessResult, PhaseContext, SpaceMember, SpaceMembersResult } from './types';

export interface SpaceRef {
  id: string;
  name: string;
}

const sameRoles = (a: string[], b: string[]) => a.length === b.length && a.every((role) => b.includes(role));
const opensApps = (roles: string[]) => roles.some((role) => APP_OPENING_ROLES.includes(role));

/** The plan's member as an id in the tenant: exactly one group of that name, or one user of that email or name. */
async function resolveMember(cloud: Transport, tenant: string, member: SpaceMemberSpec): Promise<string> {
  const shown = sanitizeForDisplay(member.name);
  if (member.type === 'group') {
    const groups = await findGroupsByName(cloud, member.name);
    if (groups.length === 0) {
      throw configFailure(
        `Tenant ${tenant}: group "${shown}" (managedSpace.members) does not exist in the tenant (GET /api/v1/groups found no group of that exact name). Groups come from the tenant's identity provider at a member's first login, or are created in the Management Console; fix the name in the plan or create the group, then retry the tenant.`,
      );
    }
    return groups[0].id;
  }
  const users = await findUsers(cloud, member.name);
  if (users.length !== 1) {
    throw configFailure(
      users.length === 0
        ? `Tenant ${tenant}: user "${shown}" (managedSpace.members) does not exist in the tenant (GET /api/v1/users found nobody with that ${member.name.includes('@') ? 'email' : 'exact name'}); users appear at their first login or by invitation. Fix the plan or invite the user, then retry the tenant.`
        : `Tenant ${tenant}: ${users.length} users are named "${shown}" (${users.map((u) => u.id).join(', ')}); name the user by email in managedSpace.members.`,
    );
  }
  return users[0].id;
}

/** The plan's members, resolved and merged per assignee (one assignment per assignee). */
async function desiredAssignments(cloud: Transport, tenant: string, spec: SpaceAccessSpec, assignable: string[], spaceName: string) {
  const desired = new Map<string, { member: SpaceMemberSpec; roles: string[] }>();
  for (const member of spec.members) {
    const refused = member.roles.filter((role) => !assignable.includes(role));
    if (refused.length > 0) {
      throw configFailure(
        `Tenant ${tenant}: the plan gives ${member.type} "${sanitizeForDisplay(member.name)}" role(s) ${refused.join(', ')}, which managed space "${sanitizeForDisplay(spaceName)}" does not offer (its meta.assignableRoles: ${assignable.join(', ')}); fix managedSpace.members.`,
      );
    }
    const assigneeId = await resolveMember(cloud, tenant, member);
    const previous = desired.get(assigneeId);
    desired.set(assigneeId, { member, roles: [...new Set([...(previous?.roles ?? []), ...member.roles])] });
  }
  return desired;
}

/** Makes one plan member's assignment; a 409 (made meanwhile) is re-read and compared like any existing one. */
async function ensureOne(
  cloud: Transport,
  spaceId: string,
  assigneeId: string,
  want: { member: SpaceMemberSpec; roles: string[] },
  found: Assignment | undefined,
  keepTheirs: (a: Assignment) => boolean,
): Promise<SpaceMember> {
  const base = { type: want.member.type, name: want.member.name, assigneeId };
  let existing = found;
  if (!existing) {
    try {
      const made = await createAssignment(cloud, spaceId, { type: want.member.type, assigneeId, roles: want.roles });
      return { ...base, roles: made.roles, change: 'created' };
    } catch (err) {
      if (!isHttpStatus(err, 409)) throw err;
      existing = (await listAssignments(cloud, spaceId)).find((a) => a.assigneeId === assigneeId);
      if (!existing) throw err;
    }
  }
  const target = keepTheirs(existing) ? [...new Set([...existing.roles, ...want.roles])] : want.roles;
  if (sameRoles(existing.roles, target)) return { ...base, roles: existing.roles, change: 'unchanged' };
  const updated = await updateAssignment(cloud, spaceId, existing.id, target);
  return { ...base, roles: updated.roles, change: 'updated', previousRoles: existing.roles };
}

/**
 * Phase 5 (after the space is ensured and the copies placed) and phase 6 (to keep members in place): the plan's
 * members in the managed space. `created`: this run made the space (nothing there is anyone else's).
 */
export async function ensureSpaceMembers(cloud: Transport, ctx: PhaseContext, space: SpaceRef, created: boolean, log: Logger): Promise<SpaceMembersResult> {
  const spec = ctx.tenant.spaceAccess;
  const tenant = ctx.tenant.name;
  const detail = await getSpace(cloud, space.id);
  const assignable = detail.meta?.assignableRoles ?? [...MANAGED_SPACE_ROLES];
  const existing = await listAssignments(cloud, space.id);
  const members: SpaceMember[] = [];
  const removed: SpaceMembersResult['removed'] = [];
  let others = existing;
  if (spec && (spec.members.length > 0 || spec.exact)) {
    const desired = await desiredAssignments(cloud, tenant, spec, assignable, space.name);
    const me = created || spec.exact ? undefined : await getMe(cloud);
    // On a space someone else set up, an assignment they made keeps its roles; the plan's are added.
    const keepTheirs = (a: Assignment) => !created && !spec.exact && a.createdBy !== me?.id;
    for (const [assigneeId, want] of desired) {
      const member = await ensureOne(cloud, space.id, assigneeId, want, existing.find((a) => a.assigneeId === assigneeId), keepTheirs);
      if (member.change !== 'unchanged') log.info({ spaceId: space.id, member: member.name, type: member.type, roles: member.roles, change: member.change }, 'managed space member ensured');
      members.push(member);
    }
    others = existing.filter((a) => !desired.has(a.assigneeId));
    if (spec.exact) {
      for (const extra of others) {
        await deleteAssignment(cloud, space.id, extra.id).catch((err: unknown) => {
          if (!isHttpStatus(err, 404)) throw err;
        });
        log.info({ spaceId: space.id, assigneeId: extra.assigneeId, roles: extra.roles }, 'removed a member the plan does not list (exactMembers)');
        removed.push({ type: extra.type, assigneeId: extra.assigneeId, roles: extra.roles });
      }
      others = [];
    }
  }
  const consumers = [...members.map((m) => m.roles), ...others.map((a) => a.roles)].filter(opensApps).length;
  const warnings: string[] = [];
  if (consumers === 0) {
    const message = `Tenant ${tenant}: nobody but the owner can open apps in managed space "${sanitizeForDisplay(space.name)}" (no member has ${APP_OPENING_ROLES.join(', ')}), so customers will not see the published apps; add members under managedSpace.members in the plan.`;
    if (spec?.noConsumers === 'fail') throw configFailure(message);
    log.warn({ spaceId: space.id }, message);
    warnings.push(message);
  }
  return { spaceId: space.id, members, removed, othersKept: others.length, consumers, warnings };
}

/**
 * The dry run's view (GETs only): what ensureSpaceMembers would add, change or remove in the space (`undefined`:
 * the space does not exist yet, so every member is added). A name that does not resolve is the problem it would be.
 */
export async function previewSpaceMembers(cloud: Transport, tenant: TenantSpec, space: SpaceRef | undefined): Promise<{ changes: string[]; problem?: string }> {
  const spec = tenant.spaceAccess;
  if (!spec || (spec.members.length === 0 && !spec.exact)) return { changes: [] };
  try {
    const assignable = (space && (await getSpace(cloud, space.id)).meta?.assignableRoles) || [...MANAGED_SPACE_ROLES];
    const desired = await desiredAssignments(cloud, tenant.name, spec, assignable, space?.name ?? tenant.managedSpace);
    const existing = space ? await listAssignments(cloud, space.id) : [];
    const changes: string[] = [];
    for (const [assigneeId, { member, roles }] of desired) {
      const found = existing.find((a) => a.assigneeId === assigneeId);
      if (!found) changes.push(`add ${member.type} "${member.name}" as ${roles.join(', ')}`);
      else if (!roles.every((role) => found.roles.includes(role)) || (spec.exact && !sameRoles(found.roles, roles))) {
        changes.push(`give ${member.type} "${member.name}" ${roles.join(', ')} (has ${found.roles.join(', ')})`);
      }
    }
    if (spec.exact) existing.filter((a) => !desired.has(a.assigneeId)).forEach((a) => changes.push(`remove ${a.type} ${a.assigneeId} (exactMembers)`));
    return { changes };
  } catch (err) {
    return { changes: [], problem: (err as Error).message };
  }
}

/** Repairs to report in phase 6 when members had to be put back. */
export function memberRepairs(result: SpaceMembersResult): string[] {
  return [
    ...result.members.filter((m) => m.change !== 'unchanged').map((m) => `${m.change === 'created' ? 're-assigned' : 'restored the roles of'} ${m.type} "${m.name}" (${m.roles.join(', ')}) in the managed space`),
    ...result.removed.map((r) => `removed ${r.type} ${r.assigneeId} from the managed space (exactMembers)`),
  ];
}

export interface PublishedRef {
  cloudAppId: string;
  name?: string;
}

/** Why the verification user does not see an app, read with the admin's key: the app's place, the user's roles. */
async function whyHidden(admin: Transport, space: SpaceRef, userId: string, app: PublishedRef): Promise<{ reason: string; rolesOpen: boolean }> {
  const [user, assignments] = await Promise.all([
    admin.request({ method: 'GET', route: '/api/v1/users/{userId}', params: { userId }, schema: UserSchema }).then((res) => res.data),
    listAssignments(admin, space.id),
  ]);
  const groupIds = (user.assignedGroups ?? []).map((g) => g.id);
  const mine = assignments.filter((a) => (a.type === 'user' && a.assigneeId === userId) || (a.type === 'group' && groupIds.includes(a.assigneeId)));
  const roles = [...new Set(mine.flatMap((a) => a.roles))];
  const groups = (user.assignedGroups ?? []).map((g) => g.name ?? g.id).join(', ') || 'none';
  if (mine.length === 0) {
    return { rolesOpen: false, reason: `the user is not a member of managed space "${space.name}", neither directly nor through a group (their groups: ${groups})` };
  }
  if (!opensApps(roles)) return { rolesOpen: false, reason: `the user's roles in managed space "${space.name}" (${roles.join(', ')}) do not open apps` };
  return { rolesOpen: true, reason: `the user's roles in "${space.name}" (${roles.join(', ')}) should open app ${app.cloudAppId}, yet Qlik does not show it to them` };
}

/** Sees and opens each app as the plan's verification identity; without one, reads the assignments. Throws when a customer would see nothing. */
export async function checkCustomerAccess(ctx: PhaseContext, space: SpaceRef, apps: PublishedRef[], log: Logger): Promise<CustomerAccessResult> {
  const admin = cloudClient(ctx.tenant);
  const verifyAs = ctx.tenant.spaceAccess?.verifyAs;
  if (!verifyAs) {
    const consumers = (await listAssignments(admin, space.id)).filter((a) => opensApps(a.roles)).length;
    return {
      mode: 'assignments',
      ok: consumers > 0,
      detail: `no verification identity in the plan (managedSpace.verifyAs): only the assignments were read: ${consumers} member(s) of "${space.name}" have a role that opens apps`,
    };
  }
  const user = cloudClient({ ...ctx.tenant, auth: { type: 'apiKey', key: verifyAs } });
  const me = await getMe(user).catch((err: unknown) => {
    if (isHttpStatus(err, 401, 403)) throw configFailure(`Tenant ${ctx.tenant.name}: the verification identity (managedSpace.verifyAs, ${verifyAs}) is not accepted by the tenant (${err.status}); put a valid API key of a customer user there.`);
    throw err;
  });
  const who = sanitizeForDisplay(me.name ?? me.id);
  for (const app of apps) {
    const listed = await listAll(user, '/api/v1/items', { resourceType: 'app', resourceId: app.cloudAppId, limit: 100 }, AppItemSchema);
    const visible = listed.some((item) => item.resourceId === app.cloudAppId);
    const opened = visible && (await user.call({ method: 'GET', route: '/api/v1/apps/{appId}', params: { appId: app.cloudAppId } }).then(() => true, (err: unknown) => {
      if (isHttpStatus(err, 403, 404)) return false;
      throw err;
    }));
    if (opened) continue;
    const { reason, rolesOpen } = await whyHidden(admin, space, me.id, app);
    const message = `Tenant ${ctx.tenant.name}: customer check failed: user "${who}" (managedSpace.verifyAs) ${visible ? 'sees but cannot open' : 'does not see'} app "${sanitizeForDisplay(app.name ?? app.cloudAppId)}" (${app.cloudAppId}): ${reason}.`;
    log.warn({ user: me.id, cloudAppId: app.cloudAppId, visible }, message);
    // Roles that should open it: Qlik may not show a new assignment at once; anything else needs a person.
    throw rolesOpen ? notYetFailure(`${message} (will retry)`) : configFailure(`${message} Add the user or one of their groups to managedSpace.members with a role that opens apps (e.g. consumer).`);
  }
  const names = apps.map((app) => `"${app.name ?? app.cloudAppId}"`).join(', ');
  log.info({ user: me.id, apps: apps.length }, 'a customer user sees and opens the published apps');
  return { mode: 'end-user', ok: true, user: who, detail: `user "${who}" sees and opens ${names} in "${space.name}"` };
}
