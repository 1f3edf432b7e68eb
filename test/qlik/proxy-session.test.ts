/**
 * The JWT virtual proxy's session cookie (audit F11, Assumption A13, simulator variant 'session-cookie'): the
 * transport keeps X-Qlik-Session-jwt per pool and credential and sends it instead of the JWT, so a rollout's QRS and
 * HDS calls share one proxy session; an ended session's cookie answers 401 and the client recovers with the JWT.
 */
import { request } from 'undici';
import { hdsClient, listDeployments } from '../../src/qlik/hds/deployments';
import { closeAllPools } from '../../src/qlik/pools';
import { about } from '../../src/qlik/qrs/about';
import { qrsApps } from '../../src/qlik/qrs/apps';
import { newXrfkey, qrsClient } from '../../src/qlik/qrs/client';
import { sessionCookieOf } from '../../src/qlik/session';
import type { Transport } from '../../src/qlik/transport';
import type { Simulator } from '../../src/simulator/api';
import { phaseContext, startTestSimulator, stopAll } from '../activities/sim-context';

/** 100 calls: a parallel burst of 20 (the first calls of a worker), then 80 one after another, QRS and HDS mixed. */
async function hundredCalls(qrs: Transport, hds: Transport): Promise<void> {
  const one = (i: number) => (i % 3 === 0 ? listDeployments(hds) : i % 3 === 1 ? about(qrs) : qrsApps.list(qrs, "name eq 'Sales Analytics'"));
  await Promise.all(Array.from({ length: 20 }, (_, i) => one(i)));
  for (let i = 20; i < 100; i++) await one(i);
}

describe('session-cookie=yes (default)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ tenants: 1 });
  });
  afterAll(() => stopAll(sim));

  test('100 QRS and HDS calls through the tool\'s clients open one proxy session', async () => {
    const { source } = phaseContext(sim, sim.tenants[0]);
    await hundredCalls(await qrsClient(source), await hdsClient(source));
    expect(sim.sessionsCreated()).toBe(1);
    // New transports over the same pool and JWT (every activity makes its own) join the same session.
    await about(await qrsClient(source));
    expect(sim.sessionsCreated()).toBe(1);
  });

  test('an ended session: its cookie answers 401, the client sends the JWT once and a burst opens one new session', async () => {
    const { source } = phaseContext(sim, sim.tenants[0]);
    const qrs = await qrsClient(source);
    await about(qrs);
    const before = sim.sessionsCreated();
    sim.endProxySessions();
    sim.clearRequestLog();
    await Promise.all(Array.from({ length: 10 }, () => about(qrs)));
    expect(sim.sessionsCreated()).toBe(before + 1);
    const statuses = sim.requestLog().map((entry) => entry.status);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    await about(qrs);
    expect(sim.sessionsCreated()).toBe(before + 1);
  });

  test('the proxy: JWT opens a session (Set-Cookie, HttpOnly), the cookie alone is accepted, an unknown cookie is 401', async () => {
    const url = (path: string, xrf = newXrfkey()) => ({ url: `${sim.qrsUrl}${path}?xrfkey=${xrf}`, xrf });
    const jwt = (await import('node:fs')).readFileSync(sim.qrsTokenRef.slice('file:'.length), 'utf8');
    const first = url('/qrs/about');
    const opened = await request(first.url, { headers: { authorization: `Bearer ${jwt}`, 'x-qlik-xrfkey': first.xrf } });
    await opened.body.text();
    expect(opened.statusCode).toBe(200);
    const setCookie = opened.headers['set-cookie'];
    expect(String(setCookie)).toMatch(/^X-Qlik-Session-jwt=[^;]+; Path=\/; HttpOnly$/);
    const cookie = sessionCookieOf(setCookie);
    expect(cookie).toMatch(/^X-Qlik-Session-jwt=/);

    const second = url('/qrs/about');
    const joined = await request(second.url, { headers: { cookie: `other=1; ${cookie}`, 'x-qlik-xrfkey': second.xrf } });
    await joined.body.text();
    expect([joined.statusCode, joined.headers['set-cookie']]).toEqual([200, undefined]);

    const third = url('/qrs/about');
    const unknown = await request(third.url, { headers: { cookie: 'X-Qlik-Session-jwt=not-a-session', 'x-qlik-xrfkey': third.xrf } });
    await unknown.body.text();
    expect(unknown.statusCode).toBe(401);
  });
});

describe('session-cookie=no', () => {
  let sim: Simulator;
  beforeAll(async () => {
    await closeAllPools();
    sim = await startTestSimulator({ tenants: 1, variants: { 'session-cookie': 'no' } });
  });
  afterAll(() => stopAll(sim));

  test('the proxy sets no cookie; the tool keeps sending the JWT and works', async () => {
    const { source } = phaseContext(sim, sim.tenants[0]);
    await hundredCalls(await qrsClient(source), await hdsClient(source));
    expect(sim.sessionsCreated()).toBe(0);
  });
});

describe('sessionCookieOf (Set-Cookie parsing)', () => {
  test.each([
    [['X-Qlik-Session-jwt=abc; Path=/; HttpOnly'], 'X-Qlik-Session-jwt=abc'],
    [['_csrf=1; Path=/', 'X-Qlik-Session=def; Path=/; Secure'], 'X-Qlik-Session=def'],
    ['x-qlik-session-hdr=ghi', 'x-qlik-session-hdr=ghi'],
    [['X-Qlik-Session-jwt=; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], ''],
    [['other=1'], undefined],
    [undefined, undefined],
  ])('%j -> %j', (header, cookie) => {
    expect(sessionCookieOf(header)).toBe(cookie);
  });
});
