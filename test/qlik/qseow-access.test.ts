/**
 * The two documented ways into QSEoW, end to end over real sockets (audit F3, F15):
 *   - QRS on the Repository port (QSEoW's 4242): mutual TLS with the QMC's client certificate and X-Qlik-User, no JWT;
 *   - the JWT virtual proxy (/jwt): bearer JWT (or its session cookie); the only way to the HDS.
 * A certificate-mode plan reaches the QRS with its certificate and the HDS with source.deployments.auth.
 */
import { z } from 'zod';
import { FailureTypes } from '../../src/activities/types';
import { planFromObject } from '../../src/plan/load';
import type { SourceSpec } from '../../src/plan/types';
import { toActivityFailure } from '../../src/qlik/errors';
import { hdsClient, listDeployments } from '../../src/qlik/hds/deployments';
import { closeAllPools } from '../../src/qlik/pools';
import { qrsApps } from '../../src/qlik/qrs/apps';
import { qrsClient, qseowTransport } from '../../src/qlik/qrs/client';
import { hasOpenssl } from '../../src/simulator/http/certificates';
import type { Simulator } from '../../src/simulator/api';
import { activities, phaseContext, runActivity, startTestSimulator, stopAll } from '../activities/sim-context';

const describeTls = hasOpenssl() ? describe : describe.skip;

describeTls('certificate QRS + JWT virtual proxy HDS (simulator with a Repository port)', () => {
  let sim: Simulator;
  let source: SourceSpec;

  beforeAll(async () => {
    sim = await startTestSimulator({ tenants: 2, repositoryPort: true });
    const certs = sim.qrsCertificateRefs;
    if (!certs) throw new Error('the simulator made no certificates');
    // Through the plan loader, so validate and the runtime agree on what a certificate plan looks like.
    source = planFromObject({
      apiVersion: 'qlik-rollout/v1',
      name: 'cert-mode',
      source: {
        qrs: { url: sim.repositoryUrl, auth: { type: 'certificate', ...certs }, user: { directory: 'INTERNAL', id: 'sa_rollout' } },
        deployments: { url: sim.deploymentsUrl, auth: { type: 'jwt', token: sim.qrsTokenRef } },
      },
      apps: [{ name: 'Sales Analytics', stream: 'Customers' }],
      tenantDefaults: { managedSpace: '{name} Analytics', auth: { type: 'apiKey', key: sim.tenants[0].apiKeyRef } },
      tenants: sim.tenants.map((t) => ({ name: t.name, url: t.url })),
    }).source;
  });
  afterAll(() => stopAll(sim));

  test('the plan keeps both access paths: certificate for the QRS, a JWT for the deployments API', () => {
    expect(source.auth.type).toBe('certificate');
    expect(source.deploymentsAuth).toEqual({ type: 'jwt', token: sim.qrsTokenRef });
    expect(source.qrsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('QRS on the Repository port: client certificate + X-Qlik-User act, no JWT is sent', async () => {
    const qrs = await qrsClient(source);
    expect((await qrsApps.list(qrs, "name eq 'Sales Analytics'")).map((app) => app.name)).toEqual(['Sales Analytics']);
    const stream = await qrs.request({
      method: 'POST', route: '/qrs/stream', body: { name: 'Made over 4242' },
      schema: z.looseObject({ id: z.string(), modifiedByUserName: z.string() }),
    });
    expect(stream.data.modifiedByUserName).toBe('INTERNAL\\sa_rollout');
  });

  test('phase 3 (ensureDeployment) in certificate mode: created through the JWT proxy, then unchanged', async () => {
    const ctx = phaseContext(sim, sim.tenants[0], { source });
    const first = await runActivity(activities.ensureDeployment, ctx);
    expect(first.deployment).toBe('created');
    expect(sim.dump().site.deployments.filter((d) => d.name === sim.tenants[0].name)).toHaveLength(1);
    expect(await runActivity(activities.ensureDeployment, ctx)).toEqual({ deploymentId: first.deploymentId, deployment: 'unchanged' });
    // The HDS calls went through the proxy (the request log strips the /jwt prefix), none to the Repository port.
    expect(sim.requestLog().filter((e) => e.path.startsWith('/api/hds/')).every((e) => e.status < 400)).toBe(true);
  });

  test('a client certificate alone never reaches the HDS: 404 on the Repository port, 401 at the proxy', async () => {
    const certOnly = { ...source, deploymentsAuth: undefined };
    const onRepository = await qseowTransport(certOnly, sim.repositoryUrl, 'hds');
    await expect(listDeployments(onRepository)).rejects.toMatchObject({ status: 404 });
    const atProxy = await qseowTransport(certOnly, sim.deploymentsUrl, 'hds');
    await expect(listDeployments(atProxy)).rejects.toMatchObject({ status: 401 });
    // And the tool refuses to try: the HDS client of a certificate plan without deployments auth is a config failure.
    const failure = toActivityFailure(await hdsClient(certOnly).catch((err: unknown) => err));
    expect(failure).toMatchObject({ type: FailureTypes.Config, nonRetryable: true });
    expect(failure.message).toMatch(/source\.deployments\.auth/);
  });

  test('the Repository port wants the client certificate: a JWT alone fails the TLS handshake', async () => {
    const jwtOnly: SourceSpec = { ...source, auth: { type: 'jwt', token: sim.qrsTokenRef }, rejectUnauthorized: false };
    const failure = toActivityFailure(await qrsApps.list(await qseowTransport(jwtOnly, sim.repositoryUrl, 'qrs')).catch((err: unknown) => err));
    // TLS 1.3: the server's "certificate required" alert arrives as a dropped socket after the handshake.
    expect(failure.message).toMatch(/GET \/qrs\/app\/full got no answer/);
  });

  test('the JWT virtual proxy still serves the QRS with the bearer JWT', async () => {
    await closeAllPools();
    const viaProxy = phaseContext(sim, sim.tenants[1]).source;
    expect((await qrsApps.list(await qrsClient(viaProxy), "name eq 'Sales Analytics'")).length).toBe(1);
  });
});
