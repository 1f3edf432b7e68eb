/**
 * One tenant: reachability and authentication (GET /users/me), TenantAdmin, managed spaces in the edition, the
 * multi-cloud IdPs (ours, foreign, stale), A7, and the rate-limit headers of its answers.
 */
import { z } from 'zod';
import { parseIdpMarker, tokenFingerprint } from '../activities/idp-marker';
import type { TenantSpec } from '../plan/types';
import { cloudClient } from '../qlik/cloud/client';
import { listIdentityProviders, MULTI_CLOUD_PROTOCOL, type IdentityProvider } from '../qlik/cloud/identity-providers';
import { MeSchema } from '../qlik/cloud/users';
import type { Transport } from '../qlik/transport';
import { resolveSecret } from '../shared/secrets';
import { checkCopies } from './copies';
import type { DoctorContext } from './context';
import { errorEvidence, isAuthRefusal } from './evidence';
import type { SeenDeployment } from './hds';
import type { PlanAppFacts } from './site';
import { check, type CheckDraft, type CheckId } from './types';

const TENANT_ADMIN = 'TenantAdmin';
const MeWithRolesSchema = MeSchema.extend({ assignedRoles: z.array(z.looseObject({ name: z.string().optional() })).nullish() });
const SpaceTypesSchema = z.looseObject({ data: z.array(z.string()).nullish() });

export interface SiteView {
  apps: PlanAppFacts[];
  deployments?: SeenDeployment[];
  hds?: Transport;
}

function tenantAdmin(me: z.output<typeof MeWithRolesSchema>): CheckDraft {
  if (!me.assignedRoles) return check.unknown('tenant-admin', 'users/me lists no assignedRoles', 'creating the IdP needs TenantAdmin: a 403 in the IdP phase means the key\'s user lacks it');
  const roles = me.assignedRoles.map((role) => role.name ?? '?');
  if (roles.includes(TENANT_ADMIN)) return check.holds('tenant-admin', `roles ${roles.join(', ')}`);
  return check.contradicted('tenant-admin', `roles ${roles.join(', ') || '(none)'}`, `give the API key's user the ${TENANT_ADMIN} role (Management Console > Users), or use a key of a tenant admin`, true);
}

async function managedSpaces(cloud: Transport, tenant: TenantSpec): Promise<CheckDraft> {
  try {
    const types = (await cloud.request({ method: 'GET', route: '/api/v1/spaces/types', schema: SpaceTypesSchema })).data.data ?? [];
    if (types.includes('managed')) return check.holds('managed-spaces', `GET /api/v1/spaces/types: ${types.join(', ')}`);
    return check.contradicted('managed-spaces', `GET /api/v1/spaces/types: ${types.join(', ') || '(none)'}`, `the edition of ${tenant.name} has no managed spaces, so distributed apps cannot be published there: upgrade the edition or take the tenant out of the plan`, true);
  } catch (err) {
    return check.unknown('managed-spaces', errorEvidence(err), `the first publish phase creates "${tenant.managedSpace}"; a 403 there means the edition lacks managed spaces`);
  }
}

/** The token of the tenant's deployment (a secret, kept for the stale check only), when the deployment exists. */
async function currentToken(ctx: DoctorContext, site: SiteView, tenant: TenantSpec): Promise<string | undefined> {
  const deployment = site.deployments?.find((d) => d.name === tenant.name);
  if (!deployment || !site.hds) return undefined;
  const route = '/api/hds/v1/Deployments/{id}/elastictokenconfig';
  const token = (await site.hds.request({ method: 'GET', route, params: { id: deployment.id }, query: { qcsFormat: 'True' }, schema: z.string().transform((t) => t.trim()), text: true })).data;
  ctx.secrets.add(token);
  return token;
}

function idps(multiCloud: IdentityProvider[], tenant: TenantSpec, token: string | undefined): CheckDraft[] {
  // Ours: the marker qlik-rollout writes into the description names this tenant's deployment (idp-marker.ts).
  const ours = multiCloud.flatMap((idp) => {
    const marker = parseIdpMarker(idp.description);
    return marker && marker.deployment === tenant.name ? [{ idp, fingerprint: marker.fingerprint }] : [];
  });
  const foreign = multiCloud.filter((idp) => !ours.some((o) => o.idp === idp));
  const current = token === undefined ? undefined : tokenFingerprint(token);
  const stale = current === undefined ? [] : ours.filter((o) => o.fingerprint !== current || o.idp.active === false);
  const evidence = `${multiCloud.length} multi-cloud IdP(s): ${ours.length} ours (${current === undefined ? 'token not compared: no deployment yet' : `${stale.length} stale`}), ${foreign.length} foreign`;
  const a7 = ours.length > 0
    ? check.holds('A7', `an IdP qlik-rollout created is there (provider ${ours[0].idp.provider ?? '?'}, interactive ${String(ours[0].idp.interactive)}): the create payload was accepted`)
    : check.unknown('A7', 'no IdP made by qlik-rollout yet', 'the IdP phase creates it; a 400 there stops the tenant naming A7');
  if (stale.length > 0 && stale.length === ours.length) {
    return [check.contradicted('idp', evidence, 'nothing to change: the IdP phase creates one with the deployment\'s current token, then deletes the stale one', false), a7];
  }
  if (foreign.length > 0) {
    return [check.holds('idp', `${evidence}; foreign ones are left as they are (another site's or hand-made)`), a7];
  }
  return [check.holds('idp', multiCloud.length === 0 ? 'no multi-cloud IdP yet: the IdP phase creates it' : evidence), a7];
}

function rateLimits(ctx: DoctorContext, tenant: TenantSpec): CheckDraft {
  const answers = ctx.headers.from(new URL(tenant.url).origin);
  const names = [...new Set(answers.flatMap((a) => Object.keys(a.headers).filter((h) => /ratelimit|rate-limit|retry-after/i.test(h))))];
  const limited = answers.filter((a) => a.status === 429).length;
  const seen = names.length > 0 ? `headers ${names.map((n) => `${n}: ${answers.find((a) => a.headers[n] !== undefined)?.headers[n] ?? ''}`).join(', ')}` : 'no rate-limit headers';
  return check.holds('rate-limits', `${seen} on ${answers.length} answers${limited > 0 ? `, ${limited} x 429` : ''} (the tool waits as a 429's Retry-After says)`);
}

const unreachable = (ids: CheckId[]) => ids.map((id) => check.unknown(id, 'tenant not reachable', 'fix check "tenant" first'));

export async function checkTenant(ctx: DoctorContext, site: SiteView, tenant: TenantSpec): Promise<CheckDraft[]> {
  const cloud = cloudClient(tenant);
  let me: z.output<typeof MeWithRolesSchema>;
  try {
    if (tenant.auth.type === 'apiKey') ctx.secrets.add(await resolveQuietly(tenant.auth.key));
    me = (await cloud.request({ method: 'GET', route: '/api/v1/users/me', schema: MeWithRolesSchema })).data;
  } catch (err) {
    const ref = tenant.auth.type === 'apiKey' ? tenant.auth.key : tenant.auth.clientSecret;
    const fix = isAuthRefusal(err) ? `the credentials behind ${ref} were refused: check that the key belongs to ${tenant.url} and is not revoked` : `check the tenant's url (${tenant.url}) and the network path`;
    return [check.contradicted('tenant', errorEvidence(err), fix, true), ...unreachable(['tenant-admin', 'managed-spaces', 'idp', 'A4', 'A5', 'A6', 'A7', 'rate-limits'])];
  }
  const drafts: CheckDraft[] = [check.holds('tenant', `GET /api/v1/users/me 200 (tenantId ${me.tenantId})`), tenantAdmin(me), await managedSpaces(cloud, tenant)];
  try {
    const [multiCloud, token] = await Promise.all([
      listIdentityProviders(cloud).then((all) => all.filter((idp) => idp.protocol === MULTI_CLOUD_PROTOCOL)),
      currentToken(ctx, site, tenant),
    ]);
    drafts.push(...idps(multiCloud, tenant, token));
  } catch (err) {
    drafts.push(check.unknown('idp', errorEvidence(err), 'listing identity providers needs TenantAdmin'), check.unknown('A7', 'IdPs not readable', 'see check "idp"'));
  }
  drafts.push(...(await checkCopies(ctx, cloud, site.apps)), rateLimits(ctx, tenant));
  return drafts;
}

/** The key itself, only so that no evidence string can carry it; a missing secret shows up as check "tenant". */
function resolveQuietly(ref: string): Promise<string> {
  return resolveSecret(ref, 'API key (redacted from the doctor report)').catch(() => '');
}
