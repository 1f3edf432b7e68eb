/**
 * UNDOCUMENTED UPSTREAM: the Hybrid Deployment Service's deployment API (doc qlik-api.md A.5, code BD-MC, one
 * community script). Qlik publishes no contract for it; everything here is the simulator's assumption, isolated in
 * this module:
 *   POST   /api/hds/v1/Deployments {name, audience, serviceUrl, localBearerToken:true} -> 201 deployment with id
 *                                  (409 when the name is taken: names are the natural key used in policies)
 *   GET    /api/hds/v1/Deployments              -> deployment[] (variant hds-list=envelope: {data: deployment[]})
 *   GET    /api/hds/v1/Deployments/{id}         -> deployment
 *   DELETE /api/hds/v1/Deployments/{id}         -> 204
 *   GET    /api/hds/v1/Deployments/{id}/elastictokenconfig?qcsFormat=True
 *                                  -> text/plain: the local bearer token, base64 ("Qlik Cloud format");
 *                                     qcsFormat=False gives the plain token.
 * Same JWT virtual proxy and bearer as the QRS; Xrfkey is checked only when sent (the script sends none). Not on the
 * Repository port, and a client certificate alone does not open it (guard.ts).
 * Assumption A1: field casing and list envelope are unknown (the script is PowerShell, whose property access ignores
 * case); variants 'hds-casing' (camel: id/name/serviceUrl, pascal: Id/Name/ServiceUrl, as .NET serializers may write)
 * and 'hds-list' (array, envelope) play each.
 */
import { z } from 'zod';
import type { Router } from '../http/router';
import { HttpError, json, noContent, parseJsonBody, queryParam } from '../http/types';
import type { QseowContext } from './context';
import type { DeploymentRecord } from './model';
import { describeZodError } from './bodies';

const deploymentCreate = z.object({
  name: z.string().min(1).max(255),
  audience: z.string().default('qlik.api'),
  serviceUrl: z.string().url(),
  localBearerToken: z.boolean().default(true),
});

function hdsError(status: number, message: string): HttpError {
  return new HttpError(status, { statusCode: status, message });
}

function deploymentJson(d: DeploymentRecord, casing: QseowContext['variants']['hds-casing']): Record<string, unknown> {
  const camel: Record<string, unknown> = {
    id: d.id, name: d.name, audience: d.audience, serviceUrl: d.serviceUrl, localBearerToken: d.localBearerToken,
    clientId: null, tokenEndpoint: null, createdDate: d.createdDate, modifiedDate: d.modifiedDate,
  };
  if (casing === 'camel') return camel;
  return Object.fromEntries(Object.entries(camel).map(([key, value]) => [key[0].toUpperCase() + key.slice(1), value]));
}

export function registerHds(router: Router, ctx: QseowContext): void {
  const { site, engine } = ctx;
  const base = '/api/hds/v1/Deployments';
  const byId = (id: string) => {
    const d = site.deployments.get(id.toLowerCase());
    if (!d) throw hdsError(404, `Deployment ${id} not found`);
    return d;
  };

  const shape = (d: DeploymentRecord) => deploymentJson(d, ctx.variants['hds-casing']);
  router.on('GET', base, () => {
    const list = [...site.deployments.values()].map(shape);
    return json(200, ctx.variants['hds-list'] === 'envelope' ? { data: list } : list);
  });
  router.on('GET', `${base}/:id`, (_req, { id }) => json(200, shape(byId(id))));

  router.on('POST', base, (req) => {
    const parsed = deploymentCreate.safeParse(parseJsonBody(req, (m) => hdsError(400, m)));
    if (!parsed.success) throw hdsError(400, `Invalid deployment: ${describeZodError(parsed.error)}`);
    const body = parsed.data;
    const existing = site.deploymentsByName.get(body.name.toLowerCase());
    if (existing) throw hdsError(409, `A deployment named "${body.name}" already exists (id ${existing.id})`);
    const now = ctx.clock.nowIso();
    const plainToken = ctx.ids.secret('hds-local-bearer-token', 64);
    const deployment: DeploymentRecord = {
      id: ctx.ids.guid('deployment'), name: body.name, audience: body.audience, serviceUrl: body.serviceUrl,
      localBearerToken: body.localBearerToken, qcsToken: Buffer.from(plainToken, 'utf8').toString('base64'), createdDate: now, modifiedDate: now,
    };
    site.deployments.set(deployment.id, deployment);
    site.deploymentsByName.set(deployment.name.toLowerCase(), deployment);
    engine.deploymentAdded(deployment);
    return json(201, shape(deployment));
  });

  router.on('DELETE', `${base}/:id`, (_req, { id }) => {
    const d = byId(id);
    site.deployments.delete(d.id);
    site.deploymentsByName.delete(d.name.toLowerCase());
    engine.deploymentRemoved(d);
    return noContent;
  });

  router.on('GET', `${base}/:id/elastictokenconfig`, (req, { id }) => {
    const d = byId(id);
    const qcsFormat = (queryParam(req, 'qcsFormat') ?? 'true').toLowerCase() !== 'false';
    let text = qcsFormat ? d.qcsToken : Buffer.from(d.qcsToken, 'base64').toString('utf8');
    if (qcsFormat && ctx.variants['token-text'] === 'per-call') {
      // Assumption A12, variant per-call: the same key wrapped with a fresh nonce and timestamp on every call
      // (cloud/idps.ts localBearerKey unwraps it).
      const definition = { kind: 'qsefw-local-bearer-token', key: d.qcsToken, nonce: ctx.ids.secret('hds-token-nonce', 16), timestamp: ctx.clock.nowIso() };
      text = Buffer.from(JSON.stringify(definition), 'utf8').toString('base64');
    }
    return { status: 200, text, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  });
}
