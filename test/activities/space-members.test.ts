/**
 * The managed space's members and the end-user check (space-members.ts) against the simulator over real sockets:
 * plan members assigned to a created space, idempotent re-runs, unknown groups, foreign members of an existing
 * space, exactMembers, noConsumers, and a customer user (not) seeing the published app.
 */
import fs from 'node:fs';
import { ensureManagedSpace } from '../../src/activities/cloud-copies';
import { checkCustomerAccess, ensureSpaceMembers, memberRepairs } from '../../src/activities/space-members';
import type { PhaseContext } from '../../src/activities/types';
import type { SpaceAccessSpec } from '../../src/plan/types';
import { cloudClient } from '../../src/qlik/cloud/client';
import { findGroupsByName } from '../../src/qlik/cloud/groups';
import { createAssignment, deleteAssignment, listAssignments } from '../../src/qlik/cloud/space-assignments';
import { createSpace } from '../../src/qlik/cloud/spaces';
import { findUsers, getMe } from '../../src/qlik/cloud/users';
import { createLogger } from '../../src/shared/logger';
import type { Simulator, SimTenantInfo } from '../../src/simulator/api';
import { checkCustomerSees, describeMembers } from '../../src/cli/demo/check';
import { previewSpaceMembers } from '../../src/activities/space-members';
import { phaseContext as planPhaseContext } from '../../src/plan/tenant';
import { simulatorPlan } from '../../src/plan/simulator-plan';
import { activities, logged, phaseContext, runActivity, startTestSimulator, stopAll } from './sim-context';

const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 7 });
});
afterAll(() => stopAll(sim));

function withAccess(tenant: SimTenantInfo, access: Partial<SpaceAccessSpec>): PhaseContext {
  const ctx = phaseContext(sim, tenant);
  return { ...ctx, tenant: { ...ctx.tenant, spaceAccess: { members: [], exact: false, noConsumers: 'warn', ...access } } };
}

const customers = { type: 'group' as const, name: 'Customers', roles: ['consumer' as const] };
const assignmentWrites = (spaceId: string) =>
  ['POST', 'PUT', 'DELETE'].flatMap((method) => logged(sim, method, `/api/v1/spaces/${spaceId}/assignments`));

test('a created space gets the plan\'s members; a re-run changes nothing', async () => {
  const tenant = sim.tenants[0];
  const ctx = withAccess(tenant, { members: [customers, { type: 'user', name: `customer@${tenant.name}.example`, roles: ['basicconsumer'] }] });
  const cloud = cloudClient(ctx.tenant);
  const { space, change } = await ensureManagedSpace(cloud, tenant.name, ctx.tenant.managedSpace);
  expect(change).toBe('created');

  const first = await ensureSpaceMembers(cloud, ctx, space, true, log);
  const [group] = await findGroupsByName(cloud, 'Customers');
  const [user] = await findUsers(cloud, `customer@${tenant.name}.example`);
  expect(first).toEqual({
    spaceId: space.id,
    members: [
      { type: 'group', name: 'Customers', assigneeId: group.id, roles: ['consumer'], change: 'created' },
      { type: 'user', name: `customer@${tenant.name}.example`, assigneeId: user.id, roles: ['basicconsumer'], change: 'created' },
    ],
    removed: [],
    othersKept: 0,
    consumers: 2,
    warnings: [],
  });
  expect((await listAssignments(cloud, space.id)).map((a) => [a.type, a.assigneeId, a.roles])).toEqual([
    ['group', group.id, ['consumer']],
    ['user', user.id, ['basicconsumer']],
  ]);

  const writesBefore = assignmentWrites(space.id).length;
  const second = await ensureSpaceMembers(cloud, ctx, space, false, log);
  expect(second.members.map((m) => m.change)).toEqual(['unchanged', 'unchanged']);
  expect(assignmentWrites(space.id)).toHaveLength(writesBefore);

  // Someone removed a member between reloads: the sync's run puts it back and says so.
  await deleteAssignment(cloud, space.id, (await listAssignments(cloud, space.id))[1].id);
  const repaired = await ensureSpaceMembers(cloud, ctx, space, false, log);
  expect(memberRepairs(repaired)).toEqual([`re-assigned user "customer@${tenant.name}.example" (basicconsumer) in the managed space`]);

  // A person narrowed the group's roles: the next run puts the plan's back.
  const changed = withAccess(tenant, { members: [{ ...customers, roles: ['consumer', 'contributor'] }] });
  const third = await ensureSpaceMembers(cloud, changed, space, true, log);
  expect(third.members[0]).toMatchObject({ change: 'updated', roles: ['consumer', 'contributor'], previousRoles: ['consumer'] });
});

test('an unknown group fails the tenant with a message naming the group and the tenant', async () => {
  const tenant = sim.tenants[1];
  const ctx = withAccess(tenant, { members: [{ type: 'group', name: 'Regional Managers', roles: ['consumer'] }] });
  const cloud = cloudClient(ctx.tenant);
  const { space } = await ensureManagedSpace(cloud, tenant.name, ctx.tenant.managedSpace);
  await expect(ensureSpaceMembers(cloud, ctx, space, true, log)).rejects.toMatchObject({
    type: 'QlikConfigError',
    nonRetryable: true,
    message: expect.stringMatching(new RegExp(`^Tenant ${tenant.name}: group "Regional Managers" \\(managedSpace.members\\) does not exist in the tenant`)),
  });
  expect(await listAssignments(cloud, space.id)).toEqual([]);
});

test('a pre-existing space keeps its foreign members; exactMembers removes them', async () => {
  const tenant = sim.tenants[2];
  const ctx = withAccess(tenant, { members: [customers] });
  const cloud = cloudClient(ctx.tenant);
  const { space } = await ensureManagedSpace(cloud, tenant.name, ctx.tenant.managedSpace);
  const [finance] = await findGroupsByName(cloud, 'Finance');
  const [outsider] = await findUsers(cloud, `outsider@${tenant.name}.example`);
  const foreign = [
    await createAssignment(cloud, space.id, { type: 'group', assigneeId: finance.id, roles: ['dataconsumer'] }),
    await createAssignment(cloud, space.id, { type: 'user', assigneeId: outsider.id, roles: ['consumer', 'facilitator'] }),
  ];

  const result = await ensureSpaceMembers(cloud, ctx, space, false, log);
  expect(result.members.map((m) => [m.name, m.change])).toEqual([['Customers', 'created']]);
  expect(result.othersKept).toBe(2);
  const after = await listAssignments(cloud, space.id);
  for (const mine of foreign) expect(after.find((a) => a.id === mine.id)).toMatchObject({ assigneeId: mine.assigneeId, roles: mine.roles });
  expect(logged(sim, 'DELETE', `/api/v1/spaces/${space.id}/assignments`)).toEqual([]);

  const exact = await ensureSpaceMembers(cloud, withAccess(tenant, { members: [customers], exact: true }), space, false, log);
  expect(exact.removed.map((r) => r.assigneeId).sort()).toEqual([finance.id, outsider.id].sort());
  expect((await listAssignments(cloud, space.id)).map((a) => a.assigneeId)).toEqual([result.members[0].assigneeId]);
});

test('nobody but the owner can open the apps: a warning, or a failure when the plan says so', async () => {
  const tenant = sim.tenants[3];
  const ctx = withAccess(tenant, { members: [{ ...customers, roles: ['publisher'] }] });
  const cloud = cloudClient(ctx.tenant);
  const { space } = await ensureManagedSpace(cloud, tenant.name, ctx.tenant.managedSpace);
  const warned = await ensureSpaceMembers(cloud, ctx, space, true, log);
  expect(warned.consumers).toBe(0);
  expect(warned.warnings).toEqual([expect.stringContaining(`Tenant ${tenant.name}: nobody but the owner can open apps in managed space "${space.name}"`)]);
  const failing = withAccess(tenant, { members: [{ ...customers, roles: ['publisher'] }], noConsumers: 'fail' });
  await expect(ensureSpaceMembers(cloud, failing, space, false, log)).rejects.toMatchObject({ type: 'QlikConfigError', message: expect.stringContaining('customers will not see the published apps') });
});

test('the end-user check passes for a member and fails, naming the reason, for a non-member', async () => {
  const tenant = sim.tenants[4];
  const keys = tenant.userKeyRefs!;
  const ctx = withAccess(tenant, { members: [customers] });
  const cloud = cloudClient(ctx.tenant);
  const { space } = await ensureManagedSpace(cloud, tenant.name, ctx.tenant.managedSpace);
  await ensureSpaceMembers(cloud, ctx, space, true, log);
  const appId = sim.plantCloudApp(tenant.name, { name: 'Sales Analytics', distributed: true, spaceId: space.id });
  const apps = [{ cloudAppId: appId, name: 'Sales Analytics' }];

  const asCustomer = withAccess(tenant, { members: [customers], verifyAs: keys.customer });
  await expect(checkCustomerAccess(asCustomer, space, apps, log)).resolves.toEqual({
    mode: 'end-user',
    ok: true,
    user: 'Customer User',
    detail: `user "Customer User" sees and opens "Sales Analytics" in "${space.name}"`,
  });

  const asOutsider = withAccess(tenant, { members: [customers], verifyAs: keys.outsider });
  await expect(checkCustomerAccess(asOutsider, space, apps, log)).rejects.toMatchObject({
    type: 'QlikConfigError',
    message: expect.stringContaining(
      `Tenant ${tenant.name}: customer check failed: user "Outsider User" (managedSpace.verifyAs) does not see app "Sales Analytics" (${appId}): the user is not a member of managed space "${space.name}", neither directly nor through a group (their groups: none).`,
    ),
  });
  // The key never appears in what the check returns or throws.
  const failure = await checkCustomerAccess(asOutsider, space, apps, log).catch((err: Error) => err.message);
  expect(failure).not.toContain(fs.readFileSync(keys.outsider.slice('file:'.length), 'utf8'));

  // Without a verification identity the check reads the assignments and says so.
  await expect(checkCustomerAccess(ctx, space, apps, log)).resolves.toMatchObject({ mode: 'assignments', ok: true, detail: expect.stringContaining('no verification identity') });
});

test('a customer user reads only: writes with their key are refused', async () => {
  const tenant = sim.tenants[5];
  const user = cloudClient({ ...phaseContext(sim, tenant).tenant, auth: { type: 'apiKey', key: tenant.userKeyRefs!.customer } });
  await expect(createSpace(user, 'Not Mine', 'managed')).rejects.toMatchObject({ status: 403 });
  expect((await getMe(user)).name).toBe('Customer User');
});

test('phase 5 as the lead wires it: publish, members, a customer user sees the app; the dry run and the demo check agree', async () => {
  const plan = simulatorPlan(sim, { name: 'members-e2e', customerAccess: true, apps: ['Sales Analytics', 'Operations Overview'] });
  const entry = plan.tenants[6];
  const ctx = planPhaseContext(plan.name, plan, entry);
  expect(ctx.tenant.spaceAccess).toEqual({ members: [customers], exact: false, noConsumers: 'warn', verifyAs: sim.tenants[6].userKeyRefs!.customer });
  const cloud = cloudClient(ctx.tenant);
  // The dry run before anything exists: the space and its member would be created.
  await expect(previewSpaceMembers(cloud, ctx.tenant, undefined)).resolves.toEqual({ changes: ['add group "Customers" as consumer'] });

  await runActivity(activities.ensureDeployment, ctx);
  await runActivity(activities.ensureIdp, ctx);
  await runActivity(activities.ensurePolicy, ctx);
  // Phase 5 itself adds the plan's members and looks at the apps as the customer user.
  const published = await runActivity(activities.firstPublish, ctx);
  const space = { id: published.spaceId, name: ctx.tenant.managedSpace };
  expect(published.members?.members.map((m) => [m.name, m.change])).toEqual([['Customers', 'created']]);
  expect(published.customerAccess).toMatchObject({ mode: 'end-user', ok: true, user: 'Customer User' });
  // A re-run of the members step changes nothing.
  const again = await ensureSpaceMembers(cloud, ctx, space, false, log);
  expect(again.members.map((m) => [m.name, m.change])).toEqual([['Customers', 'unchanged']]);
  await expect(checkCustomerAccess(ctx, space, published.apps, log)).resolves.toMatchObject({ ok: true });

  await expect(previewSpaceMembers(cloud, ctx.tenant, space)).resolves.toEqual({ changes: [] });
  const one = { ...plan, tenants: [entry] };
  await expect(checkCustomerSees(one)).resolves.toEqual([{ tenant: entry.name, ok: true, problems: [] }]);
  await expect(describeMembers(plan, entry.name)).resolves.toEqual(['group Customers: consumer']);
});
