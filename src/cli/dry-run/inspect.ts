/**
 * The read-only half of every phase: what a rollout of the plan would create or change. Each line is the phase's
 * own decision (planDeployment, planIdp, planPolicy, appProblems, chooseCopy/planPlacement, previewSpaceMembers),
 * fed by the same natural keys the activities read, so the preview cannot drift from what the rollout does; a
 * phase that would stop shows as 'problem' with the message it would stop with. Only GETs are sent.
 */
import type { PhaseName } from '../../workflows/messages';
import type { RolloutPlan, TenantSpec } from '../../plan/types';
import { phaseContext, resolveTenant } from '../../plan/tenant';
import { qrsClient } from '../../qlik/qrs/client';
import { hdsClient, listDeployments, readLocalBearerToken, type Deployment } from '../../qlik/hds/deployments';
import { systemRules, type SystemRule } from '../../qlik/qrs/system-rules';
import { customPropertyDefinitions, type CustomPropertyDefinition } from '../../qlik/qrs/custom-properties';
import { appsCarryingValue, findAppsByName, pickPlanApp, type AppFacts } from '../../qlik/qrs/apps';
import { reloadTasksOfApps, type ReloadTask } from '../../qlik/qrs/reload-tasks';
import { appProblems, notDistributable } from '../../activities/app-readiness';
import { quote } from '../../qlik/qrs/client';
import { cloudClient } from '../../qlik/cloud/client';
import { listIdentityProviders } from '../../qlik/cloud/identity-providers';
import { findSpace } from '../../qlik/cloud/spaces';
import { findDistributedCopies, planPlacement } from '../../activities/cloud-copies';
import { previewSpaceMembers } from '../../activities/space-members';
import { missingTokenMessage, planDeployment } from '../../activities/ensure-deployment';
import { planIdp, type IdpPlan } from '../../activities/ensure-idp';
import { planPolicy } from '../../activities/ensure-policy';
import { tokenFingerprint } from '../../activities/idp-marker';
import { worstAction, type PlanAction } from '../../activities/phase-plan';
import type { SyncProbe } from './sync';

/** A phase's plan, or 'unknown' when what it depends on cannot be read (Temporal for the sync line). */
export type PreviewAction = PlanAction | 'unknown';

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
  /** Rules QRS lists for the policy name (case-insensitive filter; planPolicy keeps the exact name). */
  rules: SystemRule[];
  property?: CustomPropertyDefinition;
  apps: Array<{ name: string; stream: string; app?: AppFacts }>;
  deployments: Deployment[];
  reloadTasks: ReloadTask[];
  /** For messages, as the activities word them. */
  qrsTarget: string;
  hdsTarget: string;
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
    rules,
    property: properties.find((p) => p.name === plan.policy.customProperty),
    apps,
    deployments,
    reloadTasks: found.length > 0 ? await reloadTasksOfApps(qrs, found) : [],
    qrsTarget: qrs.target,
    hdsTarget: hds.target,
  };
}

async function policyPreview(plan: RolloutPlan, site: SiteSnapshot, entry: RolloutPlan['tenants'][number]): Promise<PhasePreview> {
  const tenant = entry.name;
  const found = site.apps.flatMap((a) => (a.app ? [a.app] : []));
  const carrying = found.length > 0 ? await appsCarryingValue(await qrsClient(plan.source), found.map((app) => app.id), plan.policy.customProperty, tenant) : new Set<string>();
  const apps = site.apps.map((a) => ({ name: a.name, ...(a.app ? { id: a.app.id } : {}) }));
  const refused = notDistributable(found, site.reloadTasks, phaseContext(plan.name, plan, entry), site.qrsTarget);
  const facts = { rules: site.rules, property: site.property, apps, carrying, ...(refused ? { notDistributable: refused } : {}) };
  return { phase: 'policy', ...planPolicy(facts, plan.policy, tenant, site.qrsTarget) };
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

/** The deployment line, and the fingerprint of its current token for the IdP line (the token itself is dropped). */
async function deploymentPreview(plan: RolloutPlan, site: SiteSnapshot, tenant: TenantSpec): Promise<{ preview: PhasePreview; fingerprint?: string; tokenError?: string }> {
  const found = site.deployments.find((d) => d.name === tenant.name);
  const preview: PhasePreview = { phase: 'deployment', ...planDeployment(found, tenant, site.hdsTarget) };
  if (!found) return { preview };
  let token: string;
  try {
    token = await readLocalBearerToken(await hdsClient(plan.source), found.id);
  } catch (err) {
    const tokenError = `cannot read the local bearer token of deployment "${found.name}": ${(err as Error).message}`;
    return { preview: preview.action === 'problem' ? preview : { phase: 'deployment', action: 'problem', detail: tokenError }, tokenError };
  }
  if (!token) {
    const tokenError = missingTokenMessage(tenant.name, found.name);
    return { preview: preview.action === 'problem' ? preview : { phase: 'deployment', action: 'problem', detail: tokenError }, tokenError };
  }
  return { preview, fingerprint: tokenFingerprint(token) };
}

async function cloudPreviews(site: SiteSnapshot, tenant: TenantSpec, token: { fingerprint?: string; tokenError?: string }): Promise<[PhasePreview, PhasePreview]> {
  const cloud = cloudClient(tenant);
  const [idps, space] = await Promise.all([listIdentityProviders(cloud), findSpace(cloud, tenant.managedSpace, 'managed')]);
  // ensureIdp's own decision; without a readable token it cannot tell whether ours is current.
  const idpPlan: IdpPlan = planIdp(idps, tenant.name, token.fingerprint);
  const idpPreview: PhasePreview = token.tokenError
    ? { phase: 'idp', action: 'problem', detail: `cannot tell whether an IdP of qlik-rollout holds the token: ${token.tokenError}` }
    : { phase: 'idp', action: idpPlan.action, detail: idpPlan.detail };
  // first publish passes ourIdpSince as notStagedBefore: the IdP of ours it keeps, else (created by phase 4 in the
  // rollout) one made after now, so a staged app already here cannot be a copy through this deployment.
  const notStagedBefore = idpPlan.keep ? (idpPlan.keep.created ?? undefined) : new Date().toISOString();
  const parts: Array<{ action: PlanAction; detail: string }> = [];
  if (!space) parts.push({ action: 'create', detail: `create managed space "${tenant.managedSpace}"` });
  for (const { name, app } of site.apps) {
    const search = await findDistributedCopies(cloud, name);
    const hints = { tenant: tenant.name, sourceAppId: app?.id ?? '', managedSpaceId: space?.id ?? '', ...(notStagedBefore ? { notStagedBefore } : {}) };
    const placement = planPlacement(name, search, hints, tenant.managedSpace);
    if (placement.action !== 'unchanged') parts.push(placement);
  }
  // The space's members (plan managedSpace.members): who would be added or changed (space-members.ts).
  const members = await previewSpaceMembers(cloud, tenant, space);
  parts.push(...members.changes.map((detail) => ({ action: 'update' as const, detail })));
  if (members.problem) parts.push({ action: 'problem', detail: members.problem });
  const publish: PhasePreview = {
    phase: 'publish',
    action: worstAction(parts.map((p) => p.action)),
    detail: parts.length > 0 ? parts.map((p) => p.detail).join('; ') : `every app is in "${tenant.managedSpace}"`,
  };
  return [idpPreview, publish];
}

/** Previews one tenant; a tenant that cannot be read shows the reason instead of failing the whole dry run. */
export async function previewTenant(plan: RolloutPlan, site: SiteSnapshot, entry: RolloutPlan['tenants'][number], sync: SyncProbe): Promise<TenantPreview> {
  const tenant = resolveTenant(plan, entry);
  const wave = plan.waves.find((w) => w.tenants.includes(entry.name))?.name ?? '?';
  const deployment = await deploymentPreview(plan, site, tenant);
  let cloud: [PhasePreview, PhasePreview];
  try {
    cloud = await cloudPreviews(site, tenant, deployment);
  } catch (err) {
    const detail = `cannot read the tenant: ${(err as Error).message}`;
    cloud = [{ phase: 'idp', action: 'problem', detail }, { phase: 'publish', action: 'problem', detail }];
  }
  return {
    tenant: entry.name,
    wave,
    // Qlik's documented setup order: deployment, IdP, then the policy (the value that makes it match), then publish.
    phases: [deployment.preview, cloud[0], await policyPreview(plan, site, entry), verifyPreview(plan, site, entry), cloud[1], await sync(entry.name)],
  };
}
