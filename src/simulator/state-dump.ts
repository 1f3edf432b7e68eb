/** Builds the SimState dump (dump() and GET /__sim/state) from the live stores. */
import type { SimState, SimTenantState } from './api';
import { localBearerKey } from './cloud/idps';
import type { TenantStore } from './cloud/model';
import type { DistributionEngine } from './distribution/engine';
import { DISTRIBUTE_ACTION } from './distribution/engine';
import type { SiteStore } from './qseow/model';

function tenantState(t: TenantStore, tokens: Set<string>): SimTenantState {
  return {
    tenantId: t.tenantId,
    url: t.url,
    idps: [...t.idps.values()].map((i) => ({
      id: i.id, protocol: i.protocol, provider: i.provider, active: i.active, interactive: i.interactive,
      holdsCurrentToken: i.base64Encoded !== null && tokens.has(localBearerKey(i.base64Encoded)),
    })),
    spaces: [...t.spaces.values()].map((s) => ({ id: s.id, name: s.name, type: s.type })),
    apps: [...t.apps.values()].map((a) => ({
      id: a.id, name: a.name, sourceAppId: a.sourceAppId ?? '', spaceId: a.spaceId, ownerId: a.ownerId, lastReloadTime: a.lastReloadTime,
      distributions: a.distributions,
    })),
  };
}

export function dumpState(site: SiteStore, tenants: Iterable<TenantStore>, engine: DistributionEngine, only?: Set<string>): SimState {
  const out: SimState = {
    site: {
      policies: [...site.systemRules.values()]
        .filter((r) => (r.actions & DISTRIBUTE_ACTION) !== 0)
        .map((r) => ({ id: r.id, name: r.name, rule: r.rule, resourceFilter: r.resourceFilter, actions: r.actions, disabled: r.disabled })),
      customProperties: [...site.customPropertyDefinitions.values()].map((d) => ({ id: d.id, name: d.name, choiceValues: [...d.choiceValues] })),
      apps: [...site.apps.values()].map((a) => ({
        id: a.id, name: a.name, stream: site.streamName(a.streamId), published: a.published, fileSize: a.fileSize,
        lastReloadTime: a.lastReloadTime, lastDataDistribution: a.lastDataDistribution, customProperties: site.appCustomProperties(a),
      })),
      deployments: [...site.deployments.values()].map((d) => ({ id: d.id, name: d.name, serviceUrl: d.serviceUrl })),
      distributions: engine.history.slice(),
    },
    tenants: {},
  };
  const tokens = new Set([...site.deployments.values()].map((d) => localBearerKey(d.qcsToken)));
  for (const t of tenants) if (!only || only.has(t.name)) out.tenants[t.name] = tenantState(t, tokens);
  return out;
}
