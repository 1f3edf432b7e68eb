/** Phases 3 and 4 (ensureDeployment, ensureIdp) against the real simulator. */
import fs from 'node:fs';
import path from 'node:path';
import { FailureTypes } from '../../src/activities/types';
import { cloudClient } from '../../src/qlik/cloud/client';
import { createMultiCloudIdp, deleteIdentityProvider } from '../../src/qlik/cloud/identity-providers';
import { getMe } from '../../src/qlik/cloud/users';
import { createDeployment, hdsClient, readLocalBearerToken } from '../../src/qlik/hds/deployments';
import type { Simulator } from '../../src/simulator/api';
import { activities, logged, phaseContext, runActivity, startTestSimulator, stopAll } from './sim-context';

let sim: Simulator & { secretsDir?: string };
beforeAll(async () => {
  sim = await startTestSimulator({ tenants: 4 });
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

test('IdP: created with the deployment token, then unchanged; a stale token is replaced', async () => {
  const ctx = phaseContext(sim, sim.tenants[0]);
  const first = await runActivity(activities.ensureIdp, ctx);
  expect(first.idp).toBe('created');
  expect(idpsOf(ctx.tenant.name)).toEqual([expect.objectContaining({ id: first.idpId, active: true, interactive: false, holdsCurrentToken: true })]);
  const before = JSON.stringify(sim.dump());
  expect(await runActivity(activities.ensureIdp, ctx)).toEqual({ idpId: first.idpId, idp: 'unchanged' });
  expect(JSON.stringify(sim.dump())).toBe(before);

  // The deployment is deleted and re-made on QSEoW: it gets a new local bearer token, the IdP holds the old one.
  const hds = await hdsClient(ctx.source);
  const { deploymentId } = await runActivity(activities.ensureDeployment, ctx);
  await hds.call({ method: 'DELETE', route: '/api/hds/v1/Deployments/{id}', params: { id: deploymentId } });
  await runActivity(activities.ensureDeployment, ctx);
  expect(idpsOf(ctx.tenant.name)).toEqual([expect.objectContaining({ holdsCurrentToken: false })]);
  const fixed = await runActivity(activities.ensureIdp, ctx);
  expect(fixed.idp).toBe('updated');
  expect(idpsOf(ctx.tenant.name)).toEqual([expect.objectContaining({ id: fixed.idpId, holdsCurrentToken: true })]);
});

test('IdP: a hand-made IdP of unknown token is adopted by replacement; a crash between delete and create heals', async () => {
  const ctx = phaseContext(sim, sim.tenants[2]);
  await runActivity(activities.ensureDeployment, ctx);
  const cloud = cloudClient(ctx.tenant);
  const hds = await hdsClient(ctx.source);
  const deployment = (await runActivity(activities.ensureDeployment, ctx)).deploymentId;
  const token = await readLocalBearerToken(hds, deployment);
  const handMade = await createMultiCloudIdp(cloud, { tenantId: (await getMe(cloud)).tenantId, description: 'made by hand', token });
  const adopted = await runActivity(activities.ensureIdp, ctx);
  expect(adopted.idp).toBe('updated');
  expect(adopted.idpId).not.toBe(handMade.id);
  expect(idpsOf(ctx.tenant.name)).toHaveLength(1);

  // Partial step of a replacement: the old IdP deleted, the new one never created.
  await deleteIdentityProvider(cloud, adopted.idpId);
  const healed = await runActivity(activities.ensureIdp, ctx);
  expect(healed.idp).toBe('created');
  expect(idpsOf(ctx.tenant.name)).toEqual([expect.objectContaining({ holdsCurrentToken: true })]);
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
