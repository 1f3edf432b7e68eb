/**
 * Identity providers (doc QAPI identity-providers.d.ts). The multi-cloud payload {provider:'qlik',
 * protocol:'qsefw-local-bearer-token', interactive:false, base64Encoded, tenantIds} is not in the official spec
 * (code BD-MC): its acceptance rules here are assumptions (docs/simulator.md).
 */
import { z } from 'zod';
import type { Router } from '../http/router';
import { json, noContent } from '../http/types';
import { readCloudBody, type CloudContext } from './context';
import { cloudError, notFound, badRequest } from './errors';
import type { IdpRecord } from './model';
import { paginate } from './paging';
import * as shapes from './shapes';

const PROTOCOLS = ['OIDC', 'SAML', 'jwtAuth', 'qsefw-local-bearer-token'] as const;
const PROVIDERS = ['auth0', 'okta', 'qlik', 'generic', 'salesforce', 'keycloak', 'adfs', 'external', 'azureAD'] as const;

const idpCreate = z.object({
  provider: z.enum(PROVIDERS),
  protocol: z.enum(PROTOCOLS),
  interactive: z.boolean().default(false),
  active: z.boolean().default(true),
  description: z.string().default(''),
  tenantIds: z.array(z.string()).default([]),
  base64Encoded: z.string().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

const idpPatch = z.array(z.object({ op: z.enum(['replace', 'promote-options']), path: z.string().optional(), value: z.unknown().optional() }));

export function registerIdps(router: Router, ctx: CloudContext): void {
  const base = '/api/v1/identity-providers';
  const byId = (req: Parameters<CloudContext['tenantOf']>[0], id: string): IdpRecord => {
    const idp = ctx.tenantOf(req).idps.get(id);
    if (!idp) throw notFound(`Identity provider ${id}`);
    return idp;
  };

  router.on('GET', base, (req) => {
    const active = req.query.get('active');
    const all = [...ctx.tenantOf(req).idps.values()].filter((i) => active === null || String(i.active) === active);
    const { page, links } = paginate(req, all, 20);
    return json(200, shapes.identityProviders(page, links));
  });

  router.on('GET', `${base}/status`, (req) => {
    const all = [...ctx.tenantOf(req).idps.values()];
    return json(200, {
      active_interactive_idps_count: all.filter((i) => i.active && i.interactive).length,
      idps_metadata: all.map((i) => ({ active: i.active, interactive: i.interactive, provider: i.provider })),
    });
  });

  router.on('POST', base, (req) => {
    const tenant = ctx.tenantOf(req);
    const body = readCloudBody(req, idpCreate);
    // tenantIds must name the caller's tenant (code PY-SDK-IDP).
    if (body.tenantIds.some((t) => t !== tenant.tenantId) || body.tenantIds.length === 0) {
      throw cloudError(403, 'IDENTITY-PROVIDERS-11', 'Forbidden', `tenantIds must be ["${tenant.tenantId}"], the id of this tenant (GET /api/v1/users/me)`);
    }
    if (body.protocol === 'qsefw-local-bearer-token') {
      if (body.provider !== 'qlik') throw badRequest('protocol qsefw-local-bearer-token requires provider "qlik"');
      if (!body.base64Encoded) throw badRequest('base64Encoded (the deployment\'s local bearer token, Qlik Cloud format) is required');
      if (body.interactive) throw badRequest('a multi-cloud identity provider cannot be interactive');
    }
    if (body.interactive && body.active && [...tenant.idps.values()].some((i) => i.active && i.interactive)) {
      throw badRequest('only one interactive identity provider may be active per tenant');
    }
    const now = ctx.clock.nowIso();
    const idp: IdpRecord = {
      id: ctx.ids.cloudId(`idp:${tenant.name}`), provider: body.provider, protocol: body.protocol, interactive: body.interactive,
      active: body.active, description: body.description, tenantIds: body.tenantIds, base64Encoded: body.base64Encoded ?? null,
      options: body.options ?? null, created: now, lastUpdated: now,
    };
    tenant.idps.set(idp.id, idp);
    ctx.engine.onIdpChanged(tenant.url);
    return json(201, shapes.identityProvider(idp));
  });

  router.on('GET', `${base}/:id`, (req, { id }) => json(200, shapes.identityProvider(byId(req, id))));

  router.on('PATCH', `${base}/:id`, (req, { id }) => {
    const idp = byId(req, id);
    const ops = readCloudBody(req, idpPatch);
    for (const op of ops) {
      if (op.op !== 'replace') continue;
      switch (op.path) {
        case '/active':
          idp.active = Boolean(op.value);
          break;
        case '/description':
          idp.description = String(op.value ?? '');
          break;
        case '/base64Encoded': // assumed: lets a stale multi-cloud token be replaced in place
          idp.base64Encoded = String(op.value ?? '');
          break;
        default:
          throw badRequest(`unsupported patch path "${op.path}" (supported: /active, /description, /base64Encoded)`);
      }
    }
    idp.lastUpdated = ctx.clock.nowIso();
    ctx.engine.onIdpChanged(ctx.tenantOf(req).url);
    return noContent;
  });

  router.on('DELETE', `${base}/:id`, (req, { id }) => {
    ctx.tenantOf(req).idps.delete(byId(req, id).id);
    return noContent;
  });
}
