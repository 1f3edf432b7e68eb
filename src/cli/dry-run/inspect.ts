/**
 * The read-only half of every phase: what a rollout of the plan would create or change, found by the same natural
 * keys the activities use (policy name, custom property value, deployment name, IdP protocol, space name, app
 * name). Only GETs are sent; nothing is written anywhere.
 */
import type { PhaseName } from '../../workflows/messages';
import type { RolloutPlan, TenantSpec } from '../../plan/types';
import { phaseContext, resolveTenant } from '../../plan/tenant';
import { qrsClient } from '../../qlik/qrs/client';
import { hdsClient, listDeployments, type Deployment } from '../../qlik/hds/deployments';
import { systemRules, type SystemRule } from '../../qlik/qrs/system-rules';
import { customPropertyDefinitions, type CustomPropertyDefinition } from '../../qlik/qrs/custom-properties';
import { appsCarryingValue, findAppsByName, pickPlanApp, type AppFacts } from '../../qlik/qrs/apps';
import { reloadTasksOfApps, type ReloadTask } from '../../qlik/qrs/reload-tasks';
import { appProblems } from '../../activities/verify-app';
import { policyDrift } from '../../activities/policy-rule';
import { quote } from '../../qlik/qrs/client';
import { cloudClient } from '../../qlik/cloud/client';
import { listIdentityProviders, MULTI_CLOUD_PROTOCOL } from '../../qlik/cloud/identity-providers';
import { findSpace } from '../../qlik/cloud/spaces';
import { chooseCopy, findDistributedCopies } from '../../activities/cloud-copies';
import { previewSpaceMembers } from '../../activities/space-members';

export type PreviewAction = 'create' | 'update' | 'unchanged' | 'wait' | 'problem';

export interface PhasePreview {
  phase: PhaseName;
  action: PreviewAction;
  detail: string;
}

export interface TenantPreview {
  tenant: string;
  wave: string;
  phases: PhasePreview[];
}

/** What is read once from QSEoW for every tenant. */
export interface SiteSnapshot {
  policy?: SystemRule;
  property?: CustomPropertyDefinition;
  apps: Array<{ name: string; stream: string; app?: AppFacts }>;
  deployments: Deployment[];
  reloadTasks: ReloadTask[];
}

export async function readSite(plan: RolloutPlan): Promise<SiteSnapshot> {
  const qrs = await qrsClient(plan.source);
  const hds = await hdsClient(plan.source);
  const [rules, properties, candidates, deployments] = await Promise.all([
    systemRules.list(qrs, `name eq ${quote(plan.policy.name)}`),
    customPropertyDefinitions.list(qrs, `name eq ${quote(plan.policy.customProperty)}`),
    findAppsByName(qrs, plan.apps.map((a) => a.name)),
    listDeployments(hds),
  ]);
  const apps = plan.apps.map((a) => ({ ...a, app: pickPlanApp(candidates, a.name, a.stream) }));
  const found = apps.flatMap((a) => (a.app ? [a.app.id] : []));
  return {
    policy: rules.find((r) => r.name === plan.policy.name),
    property: properties.find((p) => p.name === plan.policy.customProperty),
    apps,
    deployments,
    reloadTasks: found.length > 0 ? await reloadTasksOfApps(qrs, found) : [],
  };
}

async function policyPreview(plan: RolloutPlan, site: SiteSnapshot, tenant: string): Promise<PhasePreview> {
  const changes: string[] = [];
  if (!site.policy) changes.push(`create distribution policy "${plan.policy.name}"`);
  else changes.push(...policyDrift(site.policy, plan.policy).map((drift) => `fix policy: ${drift}`));
  if (!site.property) changes.push(`create custom property ${plan.policy.customProperty} with value ${tenant}`);
  else if (!site.property.choiceValues.includes(tenant)) changes.push(`add ${tenant} to the choice values of ${plan.policy.customProperty}`);
  const found = site.apps.flatMap((a) => (a.app ? [a.app.id] : []));
  const carrying = await appsCarryingValue(await qrsClient(plan.source), found, plan.policy.customProperty, tenant);
  const unmarked = site.apps.filter((a) => a.app && !carrying.has(a.app.id));
  if (unmarked.length > 0) changes.push(`set ${plan.policy.customProperty}=${tenant} on ${unmarked.map((a) => `"${a.name}"`).join(', ')}`);
  if (changes.length === 0) return { phase: 'policy', action: 'unchanged', detail: `policy, choice value and app values in place` };
  return { phase: 'policy', action: site.policy ? 'update' : 'create', detail: changes.join('; ') };
}

/** verifyApp's own checks on the data already read; problems here would fail the tenant when the rollout runs. */
function verifyPreview(plan: RolloutPlan, site: SiteSnapshot, entry: RolloutPlan['tenants'][number]): PhasePreview {
  const ctx = phaseContext(plan.name, plan, entry);
  const problems = site.apps.flatMap(({ name, app }) => {
    if (!app) return [`app "${name}" not found on QSEoW: check the name in the plan`];
    // The custom property value is what the policy phase sets, so its absence is a change, not a problem.
    return appProblems(app, site.reloadTasks, ctx, true).map((p) => `app "${name}" ${p}`);
  });
  return problems.length > 0
    ? { phase: 'verify', action: 'problem', detail: problems.join('; ') }
    : { phase: 'verify', action: 'unchanged', detail: `${site.apps.length} app(s) published to ${plan.policy.stream}, reloaded and within limits` };
}

/** Plan apps that pass verification as they stand (the demo plans only these; the simulator seeds traps too). */
export function distributableApps(plan: RolloutPlan, site: SiteSnapshot): string[] {
  const ctx = phaseContext(plan.name, plan, plan.tenants[0]);
  return site.apps
    .filter(({ app }) => app && appProblems(app, site.reloadTasks, ctx, true).length === 0)
    .map(({ name }) => name);
}

function deploymentPreview(site: SiteSnapshot, tenant: TenantSpec): PhasePreview {
  const existing = site.deployments.find((d) => d.name === tenant.name);
  if (!existing) return { phase: 'deployment', action: 'create', detail: `create deployment ${tenant.name} -> ${tenant.url} (local bearer token)` };
  return { phase: 'deployment', action: 'unchanged', detail: `deployment ${tenant.name} exists (${existing.id})` };
}

async function cloudPreviews(site: SiteSnapshot, tenant: TenantSpec): Promise<PhasePreview[]> {
  const cloud = cloudClient(tenant);
  const [idps, space] = await Promise.all([listIdentityProviders(cloud), findSpace(cloud, tenant.managedSpace, 'managed')]);
  const idp = idps.find((p) => p.protocol === MULTI_CLOUD_PROTOCOL);
  const idpPreview: PhasePreview = idp
    ? { phase: 'idp', action: 'unchanged', detail: `multi-cloud IdP exists (${idp.id}); its token is checked when the rollout runs` }
    : { phase: 'idp', action: 'create', detail: `create the multi-cloud IdP (${MULTI_CLOUD_PROTOCOL}) with the deployment's local bearer token` };
  const publish: string[] = [];
  let publishAction: PreviewAction = 'unchanged';
  if (!space) {
    publish.push(`create managed space "${tenant.managedSpace}"`);
    publishAction = 'create';
  }
  for (const { name, app } of site.apps) {
    // The phase's own read step: the copy as firstPublish would choose it (an ambiguity shows as a problem).
    const { copies } = await findDistributedCopies(cloud, name);
    let copy;
    try {
      copy = chooseCopy(copies, { tenant: tenant.name, sourceAppId: app?.id ?? '', managedSpaceId: space?.id ?? '' })?.copy;
    } catch (err) {
      publish.push((err as Error).message);
      publishAction = 'problem';
      continue;
    }
    if (space && copy?.spaceId === space.id) continue;
    if (!copy) {
      publish.push(`wait for "${name}" to be distributed, then move it into the space`);
      if (publishAction === 'unchanged') publishAction = 'wait';
    } else {
      publish.push(`move ${copy.spaceId ? 'distributed' : 'staged'} "${name}" into "${tenant.managedSpace}"`);
      if (publishAction !== 'create' && publishAction !== 'problem') publishAction = 'update';
    }
  }
  // The space's members (plan managedSpace.members): who would be added or changed (space-members.ts).
  const members = await previewSpaceMembers(cloud, tenant, space);
  publish.push(...members.changes, ...(members.problem ? [members.problem] : []));
  if (members.problem) publishAction = 'problem';
  else if (members.changes.length > 0 && publishAction === 'unchanged') publishAction = 'update';
  return [
    idpPreview,
    { phase: 'publish', action: publishAction, detail: publish.length > 0 ? publish.join('; ') : `every app is in "${tenant.managedSpace}"` },
  ];
}

/** Previews one tenant; a tenant that cannot be read shows the reason instead of failing the whole dry run. */
export async function previewTenant(plan: RolloutPlan, site: SiteSnapshot, entry: RolloutPlan['tenants'][number]): Promise<TenantPreview> {
  const tenant = resolveTenant(plan, entry);
  const wave = plan.waves.find((w) => w.tenants.includes(entry.name))?.name ?? '?';
  let cloud: PhasePreview[];
  try {
    cloud = await cloudPreviews(site, tenant);
  } catch (err) {
    const detail = `cannot read the tenant: ${(err as Error).message}`;
    cloud = [{ phase: 'idp', action: 'problem', detail }, { phase: 'publish', action: 'problem', detail }];
  }
  return {
    tenant: entry.name,
    wave,
    // Qlik's documented setup order: deployment, IdP, then the policy (the value that makes it match), then publish.
    phases: [
      deploymentPreview(site, tenant),
      cloud[0],
      await policyPreview(plan, site, entry.name),
      verifyPreview(plan, site, entry),
      cloud[1],
      plan.sync.enabled
        ? { phase: 'sync', action: 'create', detail: `keep in sync after every reload (poll every ${plan.sync.pollIntervalMs / 1000}s)` }
        : { phase: 'sync', action: 'unchanged', detail: 'sync disabled in the plan' },
    ],
  };
}
