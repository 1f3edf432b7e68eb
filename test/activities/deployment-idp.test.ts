/** Phases 3 and 4 (ensureDeployment, ensureIdp) against the real simulator, including its variants A7 and A12. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { idpDescription, parseIdpMarker, tokenFingerprint } from '../../src/activities/idp-marker';
import { FailureTypes } from '../../src/activities/types';
import { cloudClient } from '../../src/qlik/cloud/client';
import { createMultiCloudIdp, deleteIdentityProvider } from '../../src/qlik/cloud/identity-providers';
import { getMe } from '../../src/qlik/cloud/users';
import { createDeployment, hdsClient, readLocalBearerToken } from '../../src/qlik/hds/deployments';
import type { Simulator } from '../../src/simulator/api';
import { activities, logged, phaseContext, runActivity, startTestSimulator, stopAll } from './sim-context';

let sim: Simulator & { secretsDir?: string };
beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 6 });
});
afterAll(() => stopAll(sim));

const deploymentsNamed = (name: string) => sim.dump().site.deployments.filter((d) => d.name === name);
const idpsOf = (tenant: string) => sim.dump().tenants[tenant].idps.filter((idp) => idp.protocol === 'qsefw-local-bearer-token');

test('deployment: created once, then unchanged; the token never appears in the result', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  const first = await runActivity(activities.ensureDeployment, ctx);
  expect(first.deployment).toBe('created');
  expect(deploymentsNamed(ctx.tenant.name)).toEqual([expect.objectContaining({ id: first.deploymentId, serviceUrl: ctx.tenant.url })]);
  const before = JSON.stringify(sim.dump());
  const second = await runActivity(activities.ensureDeployment, ctx);
  expect(second).toEqual({ deploymentId: first.deploymentId, deployment: 'unchanged' });
  expect(JSON.stringify(sim.dump())).toBe(before);
  expect(Object.keys(second)).toEqual(['deploymentId', 'deployment']);
});

test('deployment: a run that crashed right after its POST is completed by the re-run, without a duplicate', async () => {
  const ctx = phaseContext(sim, sim.tenants[1]);
  // The partial step: the create went through, the activity died before returning.
  await createDeployment(await hdsClient(ctx.source), { name: ctx.tenant.name, serviceUrl: ctx.tenant.url });
  const rerun = await runActivity(activities.ensureDeployment, ctx);
  expect(rerun.deployment).toBe('unchanged');
  expect(deploymentsNamed(ctx.tenant.name)).toHaveLength(1);
});

/** Log entries of the IdP writes to one tenant, in order: ['POST', 'DELETE', ...]. */
const idpWrites = (tenant: string) =>
  sim.requestLog().filter((e) => e.host === tenant && e.path.startsWith('/api/v1/identity-providers') && e.method !== 'GET').map((e) => `${e.method} ${e.status}`);

async function tenantSetup(ctx: ReturnType<typeof phaseContext>) {
  const { deploymentId } = await runActivity(activities.ensureDeployment, ctx);
  const cloud = cloudClient(ctx.tenant);
  const hds = await hdsClient(ctx.source);
  return { cloud, hds, deploymentId, tenantId: (await getMe(cloud)).tenantId, token: await readLocalBearerToken(hds, deploymentId) };
}

/** The deployment is deleted and re-made on QSEoW: it gets a new local bearer token, our IdP holds the old one. */
async function remakeDeployment(ctx: ReturnType<typeof phaseContext>): Promise<void> {
  const hds = await hdsClient(ctx.source);
  const { deploymentId } = await runActivity(activities.ensureDeployment, ctx);
  await hds.call({ method: 'DELETE', route: '/api/hds/v1/Deployments/{id}', params: { id: deploymentId } });
  await runActivity(activities.ensureDeployment, ctx);
}

test('IdP: created with the deployment token, then unchanged; a stale one of ours is replaced create-first', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  await runActivity(activities.ensureDeployment, ctx);
  const first = await runActivity(activities.ensureIdp, ctx);
  expect(first).toEqual({ idpId: expect.any(String), idp: 'created', removed: [], foreign: [], foreignCount: 0 });
  expect(idpsOf(ctx.tenant.name)).toEqual([expect.objectContaining({ id: first.idpId, active: true, interactive: false, holdsCurrentToken: true })]);
  const before = JSON.stringify(sim.dump());
  expect(await runActivity(activities.ensureIdp, ctx)).toEqual({ idpId: first.idpId, idp: 'unchanged', removed: [], foreign: [], foreignCount: 0 });
  expect(JSON.stringify(sim.dump())).toBe(before);

  await remakeDeployment(ctx);
  expect(idpsOf(ctx.tenant.name)).toEqual([expect.objectContaining({ holdsCurrentToken: false })]);
  sim.clearRequestLog();
  const fixed = await runActivity(activities.ensureIdp, ctx);
  expect(fixed).toMatchObject({ idp: 'updated', removed: [first.idpId], foreignCount: 0 });
  expect(idpWrites(ctx.tenant.name)).toEqual(['POST 201', 'DELETE 204']);
  expect(idpsOf(ctx.tenant.name)).toEqual([expect.objectContaining({ id: fixed.idpId, holdsCurrentToken: true })]);
});

test('IdP: a hand-made IdP and another deployment\'s IdP are never touched, and are reported', async () => {
  const ctx = phaseContext(sim, sim.tenants[2]);
  const { cloud, tenantId, token } = await tenantSetup(ctx);
  // Hand-made in the Management Console, holding the current token: a working setup we must not break.
  const handMade = await createMultiCloudIdp(cloud, { tenantId, description: 'made by hand\nby ops; token aGVsbG8taGVsbG8taGVsbG8taGVsbG8=', token });
  // Another deployment distributing to the same tenant (another QSEoW site), stale by our token's measure.
  const otherDeployment = await createMultiCloudIdp(cloud, { tenantId, description: idpDescription(`${ctx.tenant.name}-site-b`, 'b-token'), token: 'b-token' });
  // A name that is a prefix of ours must not pass for ours either.
  const prefix = await createMultiCloudIdp(cloud, { tenantId, description: idpDescription(ctx.tenant.name.slice(0, -1), token), token });
  sim.clearRequestLog();
  const result = await runActivity(activities.ensureIdp, ctx);
  expect(result).toMatchObject({ idp: 'created', removed: [], foreignCount: 3 });
  expect(result.foreign).toEqual([
    { id: handMade.id, active: true, description: 'made by hand by ops; token [redacted]' },
    { id: otherDeployment.id, active: true, description: expect.stringContaining(`${ctx.tenant.name}-site-b`) },
    { id: prefix.id, active: true, description: expect.any(String) },
  ]);
  expect(idpWrites(ctx.tenant.name)).toEqual(['POST 201']);
  expect(idpsOf(ctx.tenant.name).map((idp) => idp.id).sort()).toEqual([handMade.id, otherDeployment.id, prefix.id, result.idpId].sort());

  // A later stale token replaces only ours; the foreign three stay.
  await remakeDeployment(ctx);
  const fixed = await runActivity(activities.ensureIdp, ctx);
  expect(fixed).toMatchObject({ idp: 'updated', removed: [result.idpId], foreignCount: 3 });
  expect(idpsOf(ctx.tenant.name).map((idp) => idp.id).sort()).toEqual([handMade.id, otherDeployment.id, prefix.id, fixed.idpId].sort());
});

test('IdP: an IdP made by an earlier version (old description format) that holds the token is kept as is', async () => {
  const ctx = phaseContext(sim, sim.tenants[4]);
  const { cloud, tenantId, token } = await tenantSetup(ctx);
  const legacyFingerprint = createHash('sha256').update(token).digest('hex').slice(0, 16);
  const legacy = await createMultiCloudIdp(cloud, {
    tenantId, token, description: `Multi-cloud IdP for QSEoW deployment "${ctx.tenant.name}", managed by qlik-rollout. token-sha256:${legacyFingerprint}`,
  });
  sim.clearRequestLog();
  expect(await runActivity(activities.ensureIdp, ctx)).toEqual({ idpId: legacy.id, idp: 'unchanged', removed: [], foreign: [], foreignCount: 0 });
  expect(idpWrites(ctx.tenant.name)).toEqual([]);
});

test('IdP: a crash between create and delete heals on re-run with exactly one IdP of ours', async () => {
  const ctx = phaseContext(sim, sim.tenants[5]);
  await runActivity(activities.ensureDeployment, ctx);
  const stale = await runActivity(activities.ensureIdp, ctx);
  await remakeDeployment(ctx);

  // The DELETE fails (503) after the POST went through: the attempt fails retryably, leaving two of ours.
  sim.setFaults([{ host: ctx.tenant.name, route: 'DELETE /api/v1/identity-providers', errorRate: 1 }]);
  try {
    await expect(runActivity(activities.ensureIdp, ctx)).rejects.toMatchObject({ type: FailureTypes.Transient, nonRetryable: false });
  } finally {
    sim.setFaults([]);
  }
  expect(idpsOf(ctx.tenant.name)).toHaveLength(2);
  expect(idpsOf(ctx.tenant.name).filter((idp) => idp.holdsCurrentToken)).toHaveLength(1);

  // The re-run finds the fresh one by its fingerprint: no second create, only the stale one goes.
  sim.clearRequestLog();
  const healed = await runActivity(activities.ensureIdp, ctx);
  expect(healed).toMatchObject({ idp: 'updated', removed: [stale.idpId] });
  expect(idpWrites(ctx.tenant.name)).toEqual(['DELETE 204']);
  expect(idpsOf(ctx.tenant.name)).toEqual([expect.objectContaining({ id: healed.idpId, holdsCurrentToken: true })]);

  // Partial step the other way round: our IdP deleted by someone; the re-run creates it.
  await deleteIdentityProvider(cloudClient(ctx.tenant), healed.idpId);
  expect(await runActivity(activities.ensureIdp, ctx)).toMatchObject({ idp: 'created', removed: [] });
  expect(idpsOf(ctx.tenant.name)).toEqual([expect.objectContaining({ holdsCurrentToken: true })]);
});

describe('IdP under other plausible Qlik behaviours (variants)', () => {
  let variantSim: Simulator | undefined;
  afterEach(async () => {
    await variantSim?.stop();
    variantSim = undefined;
  });

  test('token-text=per-call (A12): a fresh nonce on every token read does not re-make the IdP', async () => {
    variantSim = await startTestSimulator({ tenants: 1, variants: { 'token-text': 'per-call' } });
    const ctx = phaseContext(variantSim, variantSim.tenants[0]);
    const { deploymentId } = await runActivity(activities.ensureDeployment, ctx);
    const hds = await hdsClient(ctx.source);
    const [a, b] = [await readLocalBearerToken(hds, deploymentId), await readLocalBearerToken(hds, deploymentId)];
    expect(a).not.toBe(b); // the variant is in play
    expect(tokenFingerprint(a)).toBe(tokenFingerprint(b));
    const first = await runActivity(activities.ensureIdp, ctx);
    expect(first.idp).toBe('created');
    expect(await runActivity(activities.ensureIdp, ctx)).toEqual({ idpId: first.idpId, idp: 'unchanged', removed: [], foreign: [], foreignCount: 0 });
    const idps = variantSim.dump().tenants[ctx.tenant.name].idps;
    expect(idps).toEqual([expect.objectContaining({ id: first.idpId, holdsCurrentToken: true })]);
  });

  test('idp-create-payload=options-only (A7): the 400 to the community payload is answered with the options shape, create-first as ever', async () => {
    variantSim = await startTestSimulator({ tenants: 1, variants: { 'idp-create-payload': 'options-only' } });
    const ctx = phaseContext(variantSim, variantSim.tenants[0]);
    await runActivity(activities.ensureDeployment, ctx);
    // A stale IdP of ours, made the way this variant accepts: replaced only after the new one exists.
    const cloud = cloudClient(ctx.tenant);
    const body = {
      provider: 'qlik', protocol: 'qsefw-local-bearer-token', interactive: false, description: idpDescription(ctx.tenant.name, 'old-token'),
      options: { base64Encoded: 'old-token' }, tenantIds: [(await getMe(cloud)).tenantId],
    };
    await cloud.call({ method: 'POST', route: '/api/v1/identity-providers', body });
    variantSim.clearRequestLog();
    const result = await runActivity(activities.ensureIdp, ctx);
    expect(result.idp).toBe('updated');
    const writes = variantSim.requestLog().filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.status}`);
    expect(writes).toEqual(['POST 400', 'POST 201', 'DELETE 204']);
    expect(variantSim.dump().tenants[ctx.tenant.name].idps).toEqual([expect.objectContaining({ id: result.idpId, holdsCurrentToken: true })]);
  });
});

describe('IdP marker and token fingerprint', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

  test('a JSON token definition is fingerprinted without per-call fields, in any key order; other text as is', () => {
    const key = { issuer: 'qsefw', kid: 'k1', publicKey: 'PEM' };
    expect(tokenFingerprint(b64({ ...key, nonce: 'a', timestamp: '1', iat: 1 }))).toBe(tokenFingerprint(b64({ nonce: 'b', iat: 2, publicKey: 'PEM', kid: 'k1', issuer: 'qsefw', exp: 9 })));
    expect(tokenFingerprint(b64({ ...key, nonce: 'a' }))).not.toBe(tokenFingerprint(b64({ ...key, publicKey: 'OTHER', nonce: 'a' })));
    expect(tokenFingerprint('cGxhaW4tdG9rZW4=')).toBe(createHash('sha256').update('cGxhaW4tdG9rZW4=').digest('hex').slice(0, 16));
  });

  test('the marker names exactly one deployment, whatever the name contains', () => {
    for (const name of ['acme', 'acme corp', 'a", managed by qlik-rollout. x', 'a deployment:b token-sha256:0123456789abcdef']) {
      expect(parseIdpMarker(idpDescription(name, 'tok'))).toEqual({ deployment: name, fingerprint: tokenFingerprint('tok') });
    }
    expect(parseIdpMarker('made by hand')).toBeUndefined();
    expect(parseIdpMarker(null)).toBeUndefined();
    expect(parseIdpMarker('Multi-cloud IdP for QSEoW deployment "x", managed by qlik-rollout. token-sha256:0123456789abcdef')).toEqual({ deployment: 'x', fingerprint: '0123456789abcdef' });
  });
});

test('IdP before the deployment exists: a config error that says to run the deployment phase', async () => {
  const ctx = phaseContext(sim, sim.tenants[3]);
  await expect(runActivity(activities.ensureIdp, ctx)).rejects.toMatchObject({
    type: FailureTypes.Config,
    nonRetryable: true,
    message: expect.stringContaining('run the deployment phase first'),
  });
});

test('a wrong API key fails at once, non-retryably, naming tenant, call and secret reference (not the key)', async () => {
  const wrongKey = path.join(sim.secretsDir!, 'wrong.apikey');
  fs.writeFileSync(wrongKey, 'wrong-api-key-value');
  const ctx = phaseContext(sim, sim.tenants[0]);
  ctx.tenant = { ...ctx.tenant, auth: { type: 'apiKey', key: `file:${wrongKey}` } };
  sim.clearRequestLog();
  const failure = (await runActivity(activities.ensureIdp, ctx).catch((err: unknown) => err)) as Error & { type: string; nonRetryable: boolean };
  expect(failure).toMatchObject({ type: FailureTypes.Config, nonRetryable: true });
  expect(failure.message).toContain(`tenant ${ctx.tenant.name}`);
  expect(failure.message).toContain('GET /api/v1/users/me answered 401');
  expect(failure.message).toContain(`file:${wrongKey}`);
  expect(failure.message).not.toContain('wrong-api-key-value');
  expect(logged(sim, 'GET', '/api/v1/users/me')).toHaveLength(1);
});

test('a 429 surfaces as a retryable RateLimited failure whose nextRetryDelay is Retry-After', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  sim.setFaults([{ host: ctx.tenant.name, rateLimitBurstRate: 1, burstLength: 1, retryAfterSeconds: 7 }]);
  try {
    const failure = await runActivity(activities.ensureIdp, ctx).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: FailureTypes.RateLimited, nonRetryable: false, nextRetryDelay: 7000 });
    expect((failure as Error).message).toContain('retrying after 7s');
  } finally {
    sim.setFaults([]);
  }
});
