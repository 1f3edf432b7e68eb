/**
 * UNDOCUMENTED UPSTREAM: the Hybrid Deployment Service's deployment API (doc qlik-api.md A.5, code BD-MC, one
 * community script). Qlik publishes no contract for it; everything here is the simulator's assumption, isolated in
 * this module:
 *   POST   /api/hds/v1/Deployments {name, audience, serviceUrl, localBearerToken:true} -> 201 deployment with id
 *                                  (409 when the name is taken: names are the natural key used in policies)
 *   GET    /api/hds/v1/Deployments              -> deployment[]
 *   GET    /api/hds/v1/Deployments/{id}         -> deployment
 *   DELETE /api/hds/v1/Deployments/{id}         -> 204
 *   GET    /api/hds/v1/Deployments/{id}/elastictokenconfig?qcsFormat=True
 *                                  -> text/plain: the local bearer token, base64 ("Qlik Cloud format");
 *                                     qcsFormat=False gives the plain token.
 * Same JWT virtual proxy and bearer as the QRS; Xrfkey is checked only when sent (the script sends none).
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

function deploymentJson(d: DeploymentRecord): Record<string, unknown> {
  return {
    id: d.id, name: d.name, audience: d.audience, serviceUrl: d.serviceUrl, localBearerToken: d.localBearerToken,
    clientId: null, tokenEndpoint: null, createdDate: d.createdDate, modifiedDate: d.modifiedDate,
  };
}

export function registerHds(router: Router, ctx: QseowContext): void {
  const { site, engine } = ctx;
  const base = '/api/hds/v1/Deployments';
  const byId = (id: string) => {
    const d = site.deployments.get(id.toLowerCase());
    if (!d) throw hdsError(404, `Deployment ${id} not found`);
    return d;
  };

  router.on('GET', base, () => json(200, [...site.deployments.values()].map(deploymentJson)));
  router.on('GET', `${base}/:id`, (_req, { id }) => json(200, deploymentJson(byId(id))));

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
    return json(201, deploymentJson(deployment));
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
    const text = qcsFormat ? d.qcsToken : Buffer.from(d.qcsToken, 'base64').toString('utf8');
    return { status: 200, text, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  });
}
