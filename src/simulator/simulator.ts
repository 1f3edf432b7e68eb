/**
 * The Qlik simulator: QSEoW (QRS + Hybrid Deployment Service + admin routes) on 127.0.0.1 and one Qlik Cloud tenant
 * per loopback address 127.1.x.y, all on one port, all served by one http.Server over real sockets.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FaultRule, PlantedCloudApp, SimRequestLogEntry, SimState, SimTenantInfo, Simulator, SimulatorOptions, TenantDownWindow } from './api';
import { adminRouter } from './admin';
import { MonotonicClock } from './clock';
import { registerApps } from './cloud/apps';
import type { CloudContext } from './cloud/context';
import { cloudError, cloudErrorBody } from './cloud/errors';
import { registerIdps } from './cloud/idps';
import { normalizeUrl, TenantStore } from './cloud/model';
import { DEFAULT_RATE_LIMITS, RateLimiter, rateLimitedError, type RateLimitConfig } from './cloud/rate-limit';
import { registerSpaces } from './cloud/spaces';
import { callerOf, seedDirectory } from './cloud/directory';
import { registerDirectory } from './cloud/directory-routes';
import { DistributionEngine } from './distribution/engine';
import { FaultInjector } from './faults';
import { makeRepositoryCertificates } from './http/certificates';
import { AddressListeners, QSEOW_ADDRESS, RepositoryListener, tenantAddress } from './http/listeners';
import { Router } from './http/router';
import { HttpError, type SimHost, type SimRequest, type SimResponse } from './http/types';
import { IdSource } from './random';
import { RequestLog } from './request-log';
import type { QseowContext } from './qseow/context';
import { QseowAccess } from './qseow/guard';
import { registerHds } from './qseow/hds';
import { SiteStore } from './qseow/model';
import { registerQrsReads } from './qseow/qrs-read';
import { registerQrsWrites } from './qseow/qrs-write';
import { registerSelections } from './qseow/selections';
import { ReloadRunner } from './qseow/reloads';
import { seedSite } from './qseow/seed';
import { dumpState } from './state-dump';
import { resolveVariants, type Variants } from './variants';

const log = pino({ name: 'qlik-simulator', level: process.env.SIM_LOG_LEVEL ?? 'warn' });

/** Extra knobs beyond the shared contract (additive). */
export interface SimulatorTuning {
  /** Override the Qlik Cloud tier limits (e.g. a tiny write limit to exercise 429 quickly). */
  rateLimitPerMinute?: { read?: number; write?: number };
  /** How long a QSEoW reload task runs (ms). Default 50. */
  reloadDurationMs?: number;
}

export type FullSimulatorOptions = SimulatorOptions & SimulatorTuning;

const JWT_PREFIX = '/jwt';

function tenantName(i: number, count: number): string {
  return `tenant-${String(i).padStart(Math.max(3, String(count).length), '0')}`;
}

export class QlikSimulator implements Simulator {
  qrsUrl = '';
  deploymentsUrl = '';
  qrsTokenRef = '';
  adminUrl = '';
  port = 0;
  tenants: SimTenantInfo[] = [];
  seededApps: Simulator['seededApps'] = [];

  readonly secretsDir: string;
  private readonly seed: number;
  private readonly ids: IdSource;
  private readonly clock = new MonotonicClock();
  private readonly site = new SiteStore();
  private readonly faults: FaultInjector;
  private readonly requests = new RequestLog();
  private readonly rateLimiter: RateLimiter;
  private readonly tenantsByName = new Map<string, TenantStore>();
  private readonly tenantsByAddress = new Map<string, TenantStore>();
  private readonly tenantsByUrl = new Map<string, TenantStore>();
  private readonly engine: DistributionEngine;
  private readonly reloads: ReloadRunner;
  private readonly qseowRouter = new Router();
  private readonly cloudRouter = new Router();
  private readonly admin: Router;
  private readonly httpServer: http.Server;
  private readonly listeners: AddressListeners;
  private readonly qrsJwt: string;
  /** The two QSEoW front doors (JWT virtual proxy, Repository port) and the proxy's sessions (qseow/guard.ts). */
  private readonly access: QseowAccess;
  private readonly repository = new RepositoryListener();
  repositoryUrl = '';
  qrsCertificateRefs?: { cert: string; key: string; ca: string };
  /** Which plausible behaviour the simulator plays for each undocumented point (variants.ts). */
  readonly variants: Variants;

  constructor(private readonly options: FullSimulatorOptions) {
    if (!Number.isInteger(options.tenants) || options.tenants < 0 || options.tenants > 0xffff) {
      throw new Error(`tenants must be an integer 0..65535, got ${options.tenants}`);
    }
    this.variants = resolveVariants(options.variants);
    this.seed = options.seed ?? 1;
    this.ids = new IdSource(this.seed);
    this.faults = new FaultInjector(this.seed);
    this.faults.setRules(options.faults ?? []);
    this.rateLimiter = new RateLimiter(rateLimitConfig(options));
    this.secretsDir = options.secretsDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'qlik-sim-secrets-'));
    this.qrsJwt = this.ids.secret('qrs-jwt', 64);
    this.access = new QseowAccess(this.qrsJwt, this.variants, () => this.ids.guid('proxy-session'));
    this.engine = new DistributionEngine(this.site, { byUrl: (url) => this.tenantsByUrl.get(normalizeUrl(url)) }, this.clock, this.ids, this.faults, options.distributionDelayMs ?? 200, this.variants);
    this.reloads = new ReloadRunner(this.site, this.engine, this.clock, this.ids, options.reloadDurationMs ?? 50);
    this.seededApps = seedSite(this.site, this.ids, this.clock).map((a) => ({ name: a.name, stream: a.stream ?? '', published: a.published, fileSize: a.fileSize }));

    const qseow: QseowContext = { site: this.site, ids: this.ids, clock: this.clock, engine: this.engine, reloads: this.reloads, variants: this.variants };
    registerQrsReads(this.qseowRouter, this.site);
    registerQrsWrites(this.qseowRouter, qseow);
    registerSelections(this.qseowRouter, qseow);
    registerHds(this.qseowRouter, qseow);

    const cloud: CloudContext = {
      tenantOf: (req) => this.tenantOf(req), ids: this.ids, clock: this.clock, engine: this.engine,
      tenantsWithoutManagedSpaces: new Set(options.tenantsWithoutManagedSpaces ?? []), variants: this.variants,
    };
    registerIdps(this.cloudRouter, cloud);
    registerSpaces(this.cloudRouter, cloud);
    registerApps(this.cloudRouter, cloud);
    registerDirectory(this.cloudRouter, cloud);

    this.admin = adminRouter({
      simulator: this, secretsDir: this.secretsDir, hasTenant: (name) => this.tenantsByName.has(name), faultRules: () => this.faults.getRules(),
      stateFor: (only) => this.dumpFor(only),
    });
    // Proxy sessions: GET counts them, DELETE ends them all (their cookies then answer 401).
    this.admin
      .on('GET', '/__sim/sessions', () => ({ status: 200, body: { created: this.access.sessionsCreated(), active: this.access.activeSessions() } }))
      .on('DELETE', '/__sim/sessions', () => {
        this.access.endSessions();
        return { status: 204 };
      });
    this.httpServer = http.createServer((req, res) => void this.handle(req, res));
    this.httpServer.keepAliveTimeout = 5_000;
    this.listeners = new AddressListeners(this.httpServer);
  }

  async start(): Promise<this> {
    this.port = await this.listeners.listen(QSEOW_ADDRESS, this.options.port ?? 0);
    const base = `http://${QSEOW_ADDRESS}:${this.port}`;
    this.qrsUrl = `${base}${JWT_PREFIX}`;
    this.deploymentsUrl = `${base}${JWT_PREFIX}`;
    this.adminUrl = `${base}/__sim`;
    const jwtFile = path.join(this.secretsDir, 'qrs.jwt');
    fs.writeFileSync(jwtFile, this.qrsJwt, { mode: 0o600 });
    this.qrsTokenRef = `file:${jwtFile}`;
    if (this.options.repositoryPort) {
      const certs = makeRepositoryCertificates(this.secretsDir);
      const repositoryPort = await this.repository.listen({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca }, (req, res) => void this.handle(req, res, 'repository'));
      this.repositoryUrl = `https://${QSEOW_ADDRESS}:${repositoryPort}`;
      this.qrsCertificateRefs = { cert: `file:${certs.files.cert}`, key: `file:${certs.files.key}`, ca: `file:${certs.files.ca}` };
    }

    const addresses: string[] = [];
    for (let i = 1; i <= this.options.tenants; i++) {
      const name = tenantName(i, this.options.tenants);
      const address = tenantAddress(i);
      const url = `http://${address}:${this.port}`;
      const tenant = new TenantStore(name, i, address, url, this.ids.tenantId(`tenant:${name}`), this.ids.secret(`apikey:${name}`), this.ids.cloudId(`user:${name}`));
      const keyFile = path.join(this.secretsDir, `${name}.apikey`);
      fs.writeFileSync(keyFile, tenant.apiKey, { mode: 0o600 });
      const userKeyRefs: Record<string, string> = {};
      for (const [user, key] of Object.entries(seedDirectory(tenant, this.ids, this.clock.nowIso()))) {
        const userKeyFile = path.join(this.secretsDir, `${name}.${user}.apikey`);
        fs.writeFileSync(userKeyFile, key, { mode: 0o600 });
        userKeyRefs[user] = `file:${userKeyFile}`;
      }
      this.tenantsByName.set(name, tenant);
      this.tenantsByAddress.set(address, tenant);
      this.tenantsByUrl.set(normalizeUrl(url), tenant);
      this.tenants.push({ name, url, tenantId: tenant.tenantId, apiKeyRef: `file:${keyFile}`, userKeyRefs });
      addresses.push(address);
    }
    await this.listeners.listenAll(addresses, this.port);
    log.info({ port: this.port, tenants: this.tenants.length, secretsDir: this.secretsDir }, 'simulator listening');
    return this;
  }

  dump(): SimState {
    return this.dumpFor();
  }

  private dumpFor(only?: Set<string>): SimState {
    return dumpState(this.site, this.tenantsByName.values(), this.engine, only);
  }

  async reloadApp(appName: string): Promise<{ appId: string; lastReloadTime: string }> {
    const app = this.site.appByName(appName);
    if (!app) throw new Error(`No app named "${appName}" on the simulated QSEoW site`);
    const outcome = await this.reloads.reloadNow(app);
    return { appId: outcome.appId, lastReloadTime: outcome.lastReloadTime };
  }

  setFaults(rules: FaultRule[]): void {
    this.faults.setRules(rules);
  }

  setTenantDown(window: TenantDownWindow): void {
    this.faults.setDown(window.tenant, window.forMs);
  }

  plantCloudApp(tenantName: string, planted: PlantedCloudApp): string {
    const tenant = this.tenantsByName.get(tenantName);
    if (!tenant) throw new Error(`No tenant named ${tenantName}`);
    const now = this.clock.nowIso();
    const id = this.ids.guid(`cloudapp:${tenant.name}`);
    tenant.addApp({
      id, itemId: this.ids.cloudId(`item:${tenant.name}`), name: planted.name, description: '', sourceAppId: null,
      spaceId: planted.spaceId ?? null, ownerId: planted.distributed ? null : tenant.userId, createdDate: now, modifiedDate: now,
      lastReloadTime: planted.lastReloadTime ?? now, distributed: planted.distributed, publishTime: planted.originAppId ? now : '',
      originAppId: planted.originAppId ?? '', fileSize: 1024, distributions: 0,
    });
    return id;
  }

  requestLog(): SimRequestLogEntry[] {
    return this.requests.all();
  }

  clearRequestLog(): void {
    this.requests.clear();
  }

  async stop(): Promise<void> {
    this.engine.stop();
    await this.listeners.close();
    await this.repository.close();
  }

  private tenantOf(req: SimRequest): TenantStore {
    if (req.host.kind !== 'tenant') throw new Error('tenant route reached on the QSEoW host');
    const tenant = this.tenantsByName.get(req.host.name);
    if (!tenant) throw new Error(`unknown tenant ${req.host.name}`);
    return tenant;
  }

  /** Which host: the address the client connected to, or the Host header on 127.0.0.1 (for proxies and tests). */
  private resolveHost(req: http.IncomingMessage): { host: SimHost; baseUrl: string } {
    const local = (req.socket.localAddress ?? '').replace(/^::ffff:/, '');
    let tenant = this.tenantsByAddress.get(local);
    if (!tenant && req.headers.host) tenant = this.tenantsByAddress.get(req.headers.host.replace(/:\d+$/, ''));
    if (tenant) return { host: { kind: 'tenant', name: tenant.name }, baseUrl: tenant.url };
    return { host: { kind: 'qseow' }, baseUrl: `http://${QSEOW_ADDRESS}:${this.port}` };
  }

  sessionsCreated(): number {
    return this.access.sessionsCreated();
  }

  endProxySessions(): void {
    this.access.endSessions();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, access: 'proxy' | 'repository' = 'proxy'): Promise<void> {
    const receivedAt = Date.now();
    const method = req.method ?? 'GET';
    const { host, baseUrl } = access === 'repository' ? { host: { kind: 'qseow' } as const, baseUrl: this.repositoryUrl } : this.resolveHost(req);
    const url = new URL(req.url ?? '/', baseUrl);
    const hostLabel = host.kind === 'tenant' ? host.name : 'qrs';
    // Faults and logs see QSEoW paths without the virtual proxy prefix: 'PUT /qrs/app' matches /jwt/qrs/app too.
    // The Repository port has no virtual proxies (and no admin routes).
    const routePath = access === 'proxy' && host.kind === 'qseow' && url.pathname.toLowerCase().startsWith(`${JWT_PREFIX}/`) ? url.pathname.slice(JWT_PREFIX.length) : url.pathname;
    let status = 0;
    let lost: SimRequestLogEntry['lost'];
    try {
      const rawBody = await readBody(req);
      const simReq: SimRequest = { method, path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, baseUrl, host, access };
      let response: SimResponse;
      if (access === 'proxy' && host.kind === 'qseow' && routePath.startsWith('/__sim')) {
        response = await this.dispatchOrThrow(this.admin, simReq, routePath, () => new HttpError(404, { error: `no admin route ${routePath}` }));
      } else {
        const fault = this.faults.decide(hostLabel, method, routePath);
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.action === 'reset') {
          req.socket.destroy();
          return;
        }
        response = await this.answer(simReq, hostLabel, routePath, fault.action, fault.retryAfterSeconds);
        // A lost answer: the write above WAS applied; the client only never learns it (FaultRule.lostResponseRate).
        if (fault.lose && response.status < 300) {
          lost = fault.lose;
          if (lost === 'reset') {
            req.socket.destroy();
            return;
          }
          response = lostAnswer(host.kind === 'tenant', hostLabel);
        }
      }
      status = response.status;
      send(res, response);
    } catch (err) {
      log.error({ err, method, path: url.pathname }, 'simulator handler crashed');
      status = 500;
      send(res, { status: 500, body: cloudErrorBody(500, 'HTTP-500', 'Internal Server Error', (err as Error).message) });
    } finally {
      this.requests.add({ receivedAt, at: Date.now(), host: hostLabel, method, path: routePath, status, ...(lost ? { lost } : {}) });
    }
  }

  private async answer(req: SimRequest, hostLabel: string, routePath: string, fault: string, retryAfterSeconds: number): Promise<SimResponse> {
    try {
      if (fault === 'rateLimit') throw rateLimitedError(retryAfterSeconds);
      if (fault === 'error' || (req.host.kind === 'tenant' && this.faults.isDown(hostLabel))) {
        throw req.host.kind === 'tenant'
          ? cloudError(503, 'HTTP-503', 'Service Unavailable', `${hostLabel} is temporarily unavailable`)
          : new HttpError(503, 'Service Unavailable');
      }
      if (req.host.kind === 'tenant') return await this.answerTenant(req, routePath);
      return await this.answerQseow(req, routePath);
    } catch (err) {
      if (err instanceof HttpError) return { status: err.status, body: err.body, headers: err.headers };
      throw err;
    }
  }

  private async answerQseow(req: SimRequest, routePath: string): Promise<SimResponse> {
    // Which front door, what it demands (JWT or session cookie; client certificate), Xrfkey: qseow/guard.ts.
    const { setCookie } = this.access.admit(req, routePath);
    const response = await this.dispatchOrThrow(this.qseowRouter, req, routePath, () => new HttpError(404, `Not found: ${routePath}`));
    return setCookie ? { ...response, headers: { ...response.headers, 'set-cookie': setCookie } } : response;
  }

  private async answerTenant(req: SimRequest, routePath: string): Promise<SimResponse> {
    const tenant = this.tenantOf(req);
    const customer = callerOf(tenant, req);
    // A simulated customer user reads what their roles show; writes need the admin's key (cloud/directory.ts).
    if (customer && req.method !== 'GET') throw cloudError(403, 'HTTP-403', 'Forbidden', `user ${customer.name} may not ${req.method} ${routePath}`);
    if (!customer && req.headers.authorization !== `Bearer ${tenant.apiKey}`) {
      throw cloudError(401, 'HTTP-401', 'Not Authorized', req.headers.authorization ? 'The API key is not valid for this tenant' : 'Send Authorization: Bearer <API key>');
    }
    this.rateLimiter.check(tenant.name, req.method);
    return this.dispatchOrThrow(this.cloudRouter, req, routePath, () => cloudError(404, 'HTTP-404', 'Not Found', `No route ${req.method} ${routePath}`));
  }

  private async dispatchOrThrow(router: Router, req: SimRequest, routePath: string, notFound: () => HttpError): Promise<SimResponse> {
    try {
      const response = await router.dispatch(req, routePath);
      if (!response) throw notFound();
      return response;
    } catch (err) {
      if (err instanceof HttpError) return { status: err.status, body: err.body, headers: err.headers };
      throw err;
    }
  }
}

/** The 503 that replaces an applied write's answer, shaped as each host answers its own 503s. */
function lostAnswer(cloud: boolean, hostLabel: string): SimResponse {
  const err = cloud ? cloudError(503, 'HTTP-503', 'Service Unavailable', `${hostLabel} is temporarily unavailable`) : new HttpError(503, 'Service Unavailable');
  return { status: err.status, body: err.body, headers: err.headers };
}

function rateLimitConfig(options: FullSimulatorOptions): RateLimitConfig | null {
  if (options.rateLimits === false) return null;
  return {
    ...DEFAULT_RATE_LIMITS,
    readPerMinute: options.rateLimitPerMinute?.read ?? DEFAULT_RATE_LIMITS.readPerMinute,
    writePerMinute: options.rateLimitPerMinute?.write ?? DEFAULT_RATE_LIMITS.writePerMinute,
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, response: SimResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (response.status !== 204) {
    if (response.text !== undefined || typeof response.body === 'string') {
      payload = response.text ?? (response.body as string);
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (response.body !== undefined) {
      payload = JSON.stringify(response.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** Simulated latency; unref'd so a request still held when the simulator closes does not keep the process alive. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => { setTimeout(resolve, ms).unref(); });
}
