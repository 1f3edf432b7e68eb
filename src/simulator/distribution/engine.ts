/**
 * The App Distribution Service of QSEoW (doc HLP-POL, HLP-DIST, KB-MC). Distributions start only on what Qlik
 * documents as triggers: publishing an app, reloading it, and a change of a published app (its properties, custom
 * properties or stream; doc HLP-POL-INTRO23). Every enabled distribution policy is then evaluated against the
 * deployments; each match is sent after a delay: the first time as a *staged* app (no space, no owner, `published`
 * true, no `originAppId`: the markers Qlik's move-distributed-apps example selects on), later as an in-place
 * update (same id, same space).
 *
 * Where Qlik documents nothing the behaviour follows a variant (../variants.ts; assumption ids of
 * src/qlik/assumptions.ts): A5 `copy-id` (the copy's id), A6 `cloud-reload-time` (its lastReloadTime), A8
 * `failure-records` (execution results 13 -> 14 -> 7/8 with a details message), A9 `trigger-on-setup` (whether a new
 * deployment, an IdP change or a policy change also start distributions; default no), A10 `touch-triggers` (whether
 * an app PUT that changes nothing counts as a change), A11 `retry-failed` (whether the service retries a failed
 * delivery by itself; default no).
 */
import type { SimSiteState } from '../api';
import type { MonotonicClock } from '../clock';
import { DISTRIBUTION_ROUTE, type FaultInjector } from '../faults';
import type { IdSource } from '../random';
import type { Variants } from '../variants';
import { holdsLocalBearerToken } from '../cloud/idps';
import type { TenantStore } from '../cloud/model';
import { normalizeUrl } from '../cloud/model';
import type { AppRecord, DeploymentRecord, ExecutionResultRecord, SiteStore, SystemRuleRecord } from '../qseow/model';
import { compileRule, distributesWith, resourceFilterMatchesApp, type RuleResource, type RuleValues } from './rule';

export const DISTRIBUTE_ACTION = 1024;
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** 'touch': an app PUT that changed nothing but modifiedDate (A10); 'retry': the service's own retry (A11). */
export type DistributionTrigger = 'publish' | 'reload' | 'metadata' | 'touch' | 'deployment' | 'policy' | 'idp' | 'retry';

/** How long the service waits before retrying a failed delivery by itself (variant retry-failed=yes). */
const SELF_RETRY_DELAY_FACTOR = 5;

interface PairState {
  status: 'pending' | 'succeeded' | 'failed';
  /** The app reload time the tenant copy carries. */
  deliveredReloadTime: string | null;
  cloudAppId?: string;
}

export interface TenantDirectory {
  byUrl(url: string): TenantStore | undefined;
}

/** An app as policy rules see it; values lower-cased, in sets (one lookup per deployment, see rule.ts). */
interface AppView {
  resource: RuleResource;
  customProperties: Map<string, RuleValues>;
}

const NO_VALUES: RuleValues = new Set();

export class DistributionEngine {
  readonly history: SimSiteState['distributions'] = [];
  private readonly pairs = new Map<string, PairState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly selfRetries = new Set<NodeJS.Timeout>();
  /** Deployment ids per target tenant URL, for IdP-triggered retries. */
  private readonly deploymentsByUrl = new Map<string, Set<string>>();
  private stopped = false;
  private readonly views = new WeakMap<AppRecord, AppView & { version: string }>();

  constructor(
    private readonly site: SiteStore,
    private readonly tenants: TenantDirectory,
    private readonly clock: MonotonicClock,
    private readonly ids: IdSource,
    private readonly faults: FaultInjector,
    private readonly delayMs: number,
    private readonly variants: Variants,
  ) {}

  /** Assumption A9: setup steps (deployment, IdP, policy) start distributions only under trigger-on-setup=yes. */
  private get setupTriggers(): boolean {
    return this.variants['trigger-on-setup'] === 'yes';
  }

  /** Keeps the URL index in step with the deployment store. */
  deploymentAdded(dep: DeploymentRecord): void {
    const key = normalizeUrl(dep.serviceUrl);
    let set = this.deploymentsByUrl.get(key);
    if (!set) this.deploymentsByUrl.set(key, (set = new Set()));
    set.add(dep.id);
    if (this.setupTriggers) this.onDeploymentChanged(dep);
  }

  deploymentRemoved(dep: DeploymentRecord): void {
    this.deploymentsByUrl.get(normalizeUrl(dep.serviceUrl))?.delete(dep.id);
  }

  onAppChanged(app: AppRecord, trigger: 'publish' | 'reload' | 'metadata' | 'touch'): void {
    // Assumption A10: whether a PUT that changed nothing is "a change of the app".
    if (trigger === 'touch' && this.variants['touch-triggers'] !== 'yes') return;
    for (const dep of this.candidateDeployments(app)) this.consider(app, dep, trigger);
  }

  onDeploymentChanged(dep: DeploymentRecord): void {
    for (const app of this.site.apps.values()) this.consider(app, dep, 'deployment');
  }

  onPolicyChanged(): void {
    if (!this.setupTriggers) return;
    for (const app of this.site.apps.values()) for (const dep of this.candidateDeployments(app)) this.consider(app, dep, 'policy');
  }

  onIdpChanged(tenantUrl: string): void {
    if (!this.setupTriggers) return;
    const depIds = this.deploymentsByUrl.get(normalizeUrl(tenantUrl));
    if (!depIds) return;
    for (const depId of depIds) {
      const dep = this.site.deployments.get(depId);
      if (dep) for (const app of this.site.apps.values()) this.consider(app, dep, 'idp');
    }
  }

  /** Does any enabled distribution policy send this app to this deployment? */
  matches(app: AppRecord, dep: DeploymentRecord): boolean {
    if (!app.published) return false;
    const { resource } = this.view(app);
    const subject = { name: dep.name.toLowerCase() };
    for (const policy of this.site.systemRules.values()) {
      if (!this.readsAsPolicy(policy) || !resourceFilterMatchesApp(policy.resourceFilter, app.id)) continue;
      try {
        if (compileRule(policy.rule).evaluate(resource, subject)) return true;
      } catch {
        // A rule the QRS accepted but we cannot read never matches (the QMC would show it invalid).
      }
    }
    return false;
  }

  /** An enabled Distribute rule in a category the service reads (assumption A3, variant policy-category). */
  private readsAsPolicy(policy: SystemRuleRecord): boolean {
    return !policy.disabled && (policy.actions & DISTRIBUTE_ACTION) !== 0 && distributesWith(policy.category, this.variants['policy-category']);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of [...this.timers.values(), ...this.selfRetries]) clearTimeout(timer);
    this.timers.clear();
    this.selfRetries.clear();
  }

  /** Deployments worth evaluating: for `resource.@X = subject.name` policies only those named by the app's values. */
  private candidateDeployments(app: AppRecord): Iterable<DeploymentRecord> {
    if (!app.published) return [];
    const byName = new Map<string, DeploymentRecord>();
    const values = this.view(app).customProperties;
    for (const policy of this.site.systemRules.values()) {
      if (!this.readsAsPolicy(policy)) continue;
      let pinned: string | null;
      try {
        pinned = compileRule(policy.rule).subjectNameProperty;
      } catch {
        continue;
      }
      if (pinned === null) return this.site.deployments.values();
      for (const value of values.get(pinned) ?? []) {
        const dep = this.site.deploymentsByName.get(value);
        if (dep) byName.set(dep.id, dep);
      }
    }
    return byName.values();
  }

  /**
   * The app as rules see it, rebuilt only when the app changed (every change moves modifiedDate): an app carrying
   * 10,000 deployment names must not be re-read for each of those deployments.
   */
  private view(app: AppRecord): AppView {
    const cached = this.views.get(app);
    if (cached && cached.version === app.modifiedDate) return cached;
    const customProperties = new Map<string, RuleValues>();
    for (const [name, values] of Object.entries(this.site.appCustomProperties(app))) {
      customProperties.set(name.toLowerCase(), new Set(values.map((v) => v.toLowerCase())));
    }
    const streamName = this.site.streamName(app.streamId);
    const owner = this.site.users.get(app.ownerId);
    const one = (value: string | null): RuleValues => (value === null ? NO_VALUES : new Set([value.toLowerCase()]));
    const attributes: Record<string, RuleValues> = {
      name: one(app.name),
      id: one(app.id),
      'stream.name': one(streamName),
      'stream.id': one(app.streamId),
      published: one(String(app.published)),
      resourcetype: one('app'),
      'owner.name': one(owner?.name ?? ''),
      'owner.userid': one(owner?.userId ?? ''),
    };
    const view = {
      version: app.modifiedDate,
      customProperties,
      resource: { attribute: (path: string) => attributes[path] ?? NO_VALUES, customProperty: (name: string) => customProperties.get(name) ?? NO_VALUES },
    };
    this.views.set(app, view);
    return view;
  }

  private consider(app: AppRecord, dep: DeploymentRecord, trigger: DistributionTrigger): void {
    if (this.stopped) return;
    const key = `${app.id}|${dep.id}`;
    if (this.timers.has(key)) return; // already queued: delivery reads the latest state
    const pair = this.pairs.get(key);
    const inSync = pair?.status === 'succeeded' && pair.deliveredReloadTime === app.lastReloadTime;
    // Publish and reload always send; other triggers only fix pairs that are missing, failed or behind.
    if (inSync && trigger !== 'publish' && trigger !== 'reload') return;
    if (!this.matches(app, dep)) return;
    this.pairs.set(key, { ...(pair ?? { deliveredReloadTime: null }), status: 'pending' });
    const result = this.startResult(app, dep);
    const fault = this.faults.decide(this.tenantName(dep), DISTRIBUTION_ROUTE, app.name);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.deliver(key, app, dep, result, fault.action === 'error' || fault.action === 'reset');
    }, this.delayMs + fault.latencyMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  private tenantName(dep: DeploymentRecord): string {
    return this.tenants.byUrl(dep.serviceUrl)?.name ?? dep.name;
  }

  /** Assumption A8: with failure-records=none the service leaves no execution results (the record is kept off-site). */
  private startResult(app: AppRecord, dep: DeploymentRecord): ExecutionResultRecord {
    const now = this.clock.nowIso();
    const result: ExecutionResultRecord = {
      id: this.ids.guid('executionresult'), createdDate: now, modifiedDate: now, modifiedByUserName: 'INTERNAL\\sa_repository',
      taskId: EMPTY_GUID, executionId: this.ids.guid('execution'), appId: app.id, status: 13, startTime: now,
      stopTime: '1753-01-01T00:00:00.000Z', duration: 0,
      details: [{ id: this.ids.guid('executiondetail'), detailsType: 2, message: `Distribution of "${app.name}" to deployment "${dep.name}" queued`, detailCreatedDate: now }],
    };
    if (this.variants['failure-records'] === 'execution-results') this.site.addExecutionResult(result);
    return result;
  }

  private deliver(key: string, app: AppRecord, dep: DeploymentRecord, result: ExecutionResultRecord, injectedFailure: boolean): void {
    if (this.stopped) return;
    result.status = 14;
    const outcome = this.send(app, dep, injectedFailure);
    const now = this.clock.nowIso();
    const pair = this.pairs.get(key) ?? { status: 'pending', deliveredReloadTime: null };
    result.status = outcome.ok ? 7 : 8;
    result.stopTime = now;
    result.modifiedDate = now;
    result.duration = Date.parse(now) - Date.parse(result.startTime);
    result.details.push({ id: this.ids.guid('executiondetail'), detailsType: outcome.ok ? 2 : 0, message: outcome.message, detailCreatedDate: now });
    if (outcome.ok) {
      pair.status = 'succeeded';
      pair.deliveredReloadTime = app.lastReloadTime;
      pair.cloudAppId = outcome.cloudAppId;
      app.lastDataDistribution = now;
    } else {
      pair.status = 'failed';
      // Assumption A11: only under retry-failed=yes does the service try a failed pair again by itself.
      if (this.variants['retry-failed'] === 'yes') this.scheduleSelfRetry(app, dep);
    }
    this.pairs.set(key, pair);
    this.history.push({
      appId: app.id, appName: app.name, deployment: dep.name, status: outcome.ok ? 'succeeded' : 'failed', at: now,
      ...(outcome.ok ? { cloudAppId: outcome.cloudAppId } : {}), message: outcome.message,
    });
  }

  private scheduleSelfRetry(app: AppRecord, dep: DeploymentRecord): void {
    const timer = setTimeout(() => {
      this.selfRetries.delete(timer);
      this.consider(app, dep, 'retry');
    }, Math.max(50, this.delayMs * SELF_RETRY_DELAY_FACTOR));
    timer.unref();
    this.selfRetries.add(timer);
  }

  /** Assumption A6: the reload time the copy reports against QSEoW's. */
  private cloudReloadTime(qseowTime: string, key: string): string {
    const at = Date.parse(qseowTime);
    if (!Number.isFinite(at)) return qseowTime;
    const jitter = 1 + (hashOf(`${key}|${qseowTime}`) % 900);
    switch (this.variants['cloud-reload-time']) {
      case 'earlier-ms': return new Date(at - jitter).toISOString();
      case 'later-ms': return new Date(at + jitter).toISOString();
      case 'seconds': return new Date(Math.floor(at / 1000) * 1000).toISOString();
      default: return qseowTime;
    }
  }

  private send(app: AppRecord, dep: DeploymentRecord, injectedFailure: boolean): { ok: true; cloudAppId: string; message: string } | { ok: false; message: string } {
    const target = `deployment "${dep.name}" (${dep.serviceUrl})`;
    if (!this.site.deployments.has(dep.id)) return { ok: false, message: `${target} was deleted` };
    const tenant = this.tenants.byUrl(dep.serviceUrl);
    if (!tenant) return { ok: false, message: `${target}: no Qlik Cloud tenant answers at this API endpoint` };
    if (injectedFailure || this.faults.isDown(tenant.name)) return { ok: false, message: `${target}: tenant unavailable (HTTP 503), will retry on the next change` };
    const idps = tenant.multiCloudIdps();
    if (idps.length === 0) {
      return { ok: false, message: `${target}: the tenant has no active multi-cloud identity provider (qsefw-local-bearer-token); create one with the deployment's local bearer token` };
    }
    if (!idps.some((i) => holdsLocalBearerToken(i.base64Encoded, dep.qcsToken) && i.tenantIds.includes(tenant.tenantId))) {
      return { ok: false, message: `${target}: authentication failed, the tenant's multi-cloud identity provider holds a different local bearer token` };
    }
    const now = this.clock.nowIso();
    const existing = tenant.appsBySource.get(app.id);
    if (existing) {
      // Redistribution updates the same cloud app in place and keeps its space (doc KB-MC).
      existing.name = app.name;
      existing.description = app.description;
      existing.lastReloadTime = this.cloudReloadTime(app.lastReloadTime, `${tenant.name}|${app.id}`);
      existing.modifiedDate = now;
      existing.fileSize = app.fileSize;
      existing.distributions++;
      return { ok: true, cloudAppId: existing.id, message: `Distributed "${app.name}" to ${target}: updated app ${existing.id}` };
    }
    // Staged, with the markers Qlik's move-distributed-apps example selects on: published, no space, no originAppId.
    // Assumption A5: whether the copy keeps the QSEoW app id (copy-id=same) or gets a new one.
    const sameId = this.variants['copy-id'] === 'same' && !tenant.apps.has(app.id);
    const cloudApp = {
      id: sameId ? app.id : this.ids.guid(`cloudapp:${tenant.name}`), itemId: this.ids.cloudId(`item:${tenant.name}`), name: app.name,
      description: app.description, sourceAppId: app.id, spaceId: null, ownerId: null, createdDate: now, modifiedDate: now,
      lastReloadTime: this.cloudReloadTime(app.lastReloadTime, `${tenant.name}|${app.id}`), distributed: true, publishTime: '', originAppId: '',
      fileSize: app.fileSize, distributions: 1,
    };
    tenant.addApp(cloudApp);
    return { ok: true, cloudAppId: cloudApp.id, message: `Distributed "${app.name}" to ${target}: staged app ${cloudApp.id} created` };
  }
}

/** A small stable hash (FNV-1a) so a variant's jitter is the same for the same copy and reload. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
