/**
 * Admin routes on the QSEoW host (http://127.0.0.1:PORT/__sim), so another process (the CLI, a worker, the
 * benchmark) can steer a running simulator. No auth: loopback only, like the rest of the simulator.
 *   GET  /__sim/info                 urls, tenants (name, url, tenantId, apiKeyRef), secrets dir
 *   GET  /__sim/state[?tenants=a,b]  SimState
 *   GET  /__sim/requests             request log;  DELETE /__sim/requests clears it
 *   POST /__sim/faults               {rules: FaultRule[]} (or the bare array)
 *   POST /__sim/tenant-down          {tenant, forMs}
 *   POST /__sim/reload               {app} -> {appId, lastReloadTime}
 *   POST /__sim/plant-app            {tenant, name, distributed, spaceId?, originAppId?} -> {id}
 */
import { z } from 'zod';
import type { FaultRule, Simulator } from './api';
import { Router } from './http/router';
import { HttpError, json, noContent, parseJsonBody, type SimRequest } from './http/types';

const faultRule = z.object({
  host: z.string().min(1),
  route: z.string().optional(),
  latencyMs: z.object({ min: z.number().min(0), max: z.number().min(0) }).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  rateLimitBurstRate: z.number().min(0).max(1).optional(),
  burstLength: z.number().int().min(0).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  resetRate: z.number().min(0).max(1).optional(),
  lostResponseRate: z.number().min(0).max(1).optional(),
  lostResponseAs: z.enum(['reset', '503', 'either']).optional(),
});
const faultsBody = z.union([z.array(faultRule), z.object({ rules: z.array(faultRule) })]);
const tenantDownBody = z.object({ tenant: z.string().min(1), forMs: z.number().int().min(0) });
const reloadBody = z.object({ app: z.string().min(1) });
const plantBody = z.object({
  tenant: z.string().min(1), name: z.string().min(1), distributed: z.boolean(), spaceId: z.string().nullish(), originAppId: z.string().optional(),
  lastReloadTime: z.string().optional(),
});

function body<S extends z.ZodType>(req: SimRequest, schema: S): z.infer<S> {
  const parsed = schema.safeParse(parseJsonBody(req, (m) => new HttpError(400, { error: m })));
  if (!parsed.success) throw new HttpError(400, { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
  return parsed.data;
}

export interface AdminTarget {
  simulator: Simulator;
  secretsDir: string;
  hasTenant(name: string): boolean;
  faultRules(): FaultRule[];
  stateFor(only?: Set<string>): unknown;
}

export function adminRouter(target: AdminTarget): Router {
  const sim = target.simulator;
  return new Router()
    .on('GET', '/__sim/info', () =>
      json(200, {
        qrsUrl: sim.qrsUrl, deploymentsUrl: sim.deploymentsUrl, qrsTokenRef: sim.qrsTokenRef, adminUrl: sim.adminUrl, port: sim.port,
        secretsDir: target.secretsDir, seededApps: sim.seededApps, tenants: sim.tenants,
      }))
    .on('GET', '/__sim/state', (req) => {
      const only = req.query.get('tenants');
      return json(200, target.stateFor(only ? new Set(only.split(',')) : undefined));
    })
    .on('GET', '/__sim/requests', () => json(200, sim.requestLog()))
    .on('DELETE', '/__sim/requests', () => {
      sim.clearRequestLog();
      return noContent;
    })
    .on('GET', '/__sim/faults', () => json(200, { rules: target.faultRules() }))
    .on('POST', '/__sim/faults', (req) => {
      const parsed = body(req, faultsBody);
      const rules = Array.isArray(parsed) ? parsed : parsed.rules;
      sim.setFaults(rules);
      return json(200, { rules });
    })
    .on('POST', '/__sim/tenant-down', (req) => {
      const down = body(req, tenantDownBody);
      if (!target.hasTenant(down.tenant)) throw new HttpError(404, { error: `no tenant named ${down.tenant}` });
      sim.setTenantDown(down);
      return noContent;
    })
    .on('POST', '/__sim/plant-app', (req) => {
      const { tenant, ...app } = body(req, plantBody);
      if (!target.hasTenant(tenant)) throw new HttpError(404, { error: `no tenant named ${tenant}` });
      return json(201, { id: sim.plantCloudApp(tenant, app) });
    })
    .on('POST', '/__sim/reload', async (req) => {
      const { app } = body(req, reloadBody);
      try {
        return json(200, await sim.reloadApp(app));
      } catch (err) {
        throw new HttpError(404, { error: (err as Error).message });
      }
    });
}
