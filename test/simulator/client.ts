/** Small undici clients for the simulator tests: QRS (JWT + Xrfkey) and Qlik Cloud (API key). Real sockets. */
import fs from 'node:fs';
import { request } from 'undici';
import type { SimTenantInfo, Simulator } from '../../src/simulator';

// Test answers are dynamic JSON; tests assert on their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Answer<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export const XRF = 'abcdefghij123456';

export function readSecret(ref: string): string {
  return fs.readFileSync(ref.replace(/^file:/, ''), 'utf8');
}

async function call(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const res = await request(url, {
    method: method as 'GET',
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // plain-text answer (QRS errors, the HDS token)
  }
  return { status: res.statusCode, headers: res.headers, body: parsed };
}

export interface QrsClient {
  (method: string, path: string, body?: unknown, opts?: { xrf?: string | null; headerXrf?: string | null; jwt?: string }): Promise<Answer>;
}

/** `path` starts with /qrs or /api/hds; the Xrfkey pair is added unless opts say otherwise. */
export function qrsClient(sim: Simulator): QrsClient {
  const jwt = readSecret(sim.qrsTokenRef);
  return (method, path, body, opts = {}) => {
    const xrf = opts.xrf === undefined ? XRF : opts.xrf;
    const headerXrf = opts.headerXrf === undefined ? xrf : opts.headerXrf;
    const url = `${sim.qrsUrl}${path}${xrf ? `${path.includes('?') ? '&' : '?'}Xrfkey=${xrf}` : ''}`;
    const headers: Record<string, string> = { authorization: `Bearer ${opts.jwt ?? jwt}`, 'x-qlik-user': 'UserDirectory=INTERNAL; UserId=sa_test' };
    if (headerXrf) headers['x-qlik-xrfkey'] = headerXrf;
    return call(url, method, headers, body);
  };
}

export type CloudClient = (method: string, path: string, body?: unknown, opts?: { apiKey?: string }) => Promise<Answer>;

export function cloudClient(tenant: SimTenantInfo): CloudClient {
  const key = readSecret(tenant.apiKeyRef);
  return (method, path, body, opts = {}) => call(`${tenant.url}${path}`, method, { authorization: `Bearer ${opts.apiKey ?? key}` }, body);
}

export const filter = (f: string) => `filter=${encodeURIComponent(f)}`;

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const POLICY_RULE = '((resource.@Deployments = subject.name and resource.stream.name = "Customers"))';

/**
 * Phases 1-4 for one tenant, the way the activities do them (read, then write): the deployment name as a choice value
 * and on the app, the policy, the deployment, the multi-cloud IdP. Returns what later steps need.
 */
/**
 * A tenant set up by hand in Qlik's documented order (HLP-DEPLOY, HLP-MIG-DIST): the deployment on QSEoW, the
 * multi-cloud IdP in the tenant, the policy, then the app's custom property value: that change of a published app
 * is what starts the distribution (a deployment or an IdP alone starts nothing).
 */
export async function setUpTenant(qrs: QrsClient, tenant: SimTenantInfo, opts: { appName?: string; withIdp?: boolean; withPolicy?: boolean } = {}) {
  const appName = opts.appName ?? 'Sales Analytics';
  const cloud = cloudClient(tenant);
  const deployment = await qrs('POST', '/api/hds/v1/Deployments', { name: tenant.name, audience: 'qlik.api', serviceUrl: tenant.url, localBearerToken: true });
  expect(deployment.status).toBe(201);
  const token = (await qrs('GET', `/api/hds/v1/Deployments/${deployment.body.id}/elastictokenconfig?qcsFormat=True`)).body as string;
  let idpId: string | undefined;
  if (opts.withIdp !== false) idpId = await createMultiCloudIdp(cloud, token);
  if (opts.withPolicy !== false) {
    const existing = (await qrs('GET', `/qrs/systemrule/full?${filter("name eq 'Distribute to deployments'")}`)).body;
    if (existing.length === 0) {
      const created = await qrs('POST', '/qrs/systemrule', {
        name: 'Distribute to deployments', category: 'Security', type: 'Custom', rule: POLICY_RULE, resourceFilter: 'App_*', actions: 1024, ruleContext: 0, disabled: false,
      });
      expect(created.status).toBe(201);
    }
  }
  const def = (await qrs('GET', `/qrs/custompropertydefinition/full?${filter("name eq 'Deployments'")}`)).body[0];
  if (!def.choiceValues.includes(tenant.name)) {
    def.choiceValues.push(tenant.name);
    expect((await qrs('PUT', `/qrs/custompropertydefinition/${def.id}`, def)).status).toBe(200);
  }
  const app = (await qrs('GET', `/qrs/app/full?${filter(`name eq '${appName}'`)}`)).body[0];
  app.customProperties.push({ value: tenant.name, definition: { id: def.id } });
  expect((await qrs('PUT', `/qrs/app/${app.id}`, app)).status).toBe(200);
  return { cloud, appId: app.id as string, deploymentId: deployment.body.id as string, token, idpId };
}

/** The tenant's multi-cloud IdP holding `token` (the community payload, assumption A7); returns its id. */
export async function createMultiCloudIdp(cloud: CloudClient, token: string): Promise<string> {
  const me = await cloud('GET', '/api/v1/users/me');
  const idp = await cloud('POST', '/api/v1/identity-providers', {
    provider: 'qlik', protocol: 'qsefw-local-bearer-token', interactive: false, description: 'QSEoW multi-cloud', base64Encoded: token, tenantIds: [me.body.tenantId],
  });
  expect(idp.status).toBe(201);
  return idp.body.id as string;
}

/** PUT of the app as it is (assumption A10: a change of a published app, which re-evaluates the policies). */
export async function touchApp(qrs: QrsClient, appId: string): Promise<void> {
  const app = (await qrs('GET', `/qrs/app/${appId}`)).body;
  expect((await qrs('PUT', `/qrs/app/${appId}`, app)).status).toBe(200);
}

/** The staged/distributed cloud copy of a QSEoW app, once it arrived. */
export function waitForCloudApp(cloud: CloudClient, appName: string, timeoutMs = 5_000) {
  return waitFor(`"${appName}" to arrive`, async () => {
    // Qlik's move-distributed-apps example lists staged apps with noActions=true (assumption A4).
    const items = await cloud('GET', `/api/v1/items?resourceType=app&noActions=true&name=${encodeURIComponent(appName)}`);
    return items.body.data.find((i: { name: string }) => i.name === appName);
  }, timeoutMs);
}
