/**
 * Identity providers (doc QAPI identity-providers.d.ts): list (active/limit/next/prev), create 201, get, PATCH 204
 * (replace /active, /description; jwtAuth only /description), delete 204, status. Qlik limits a tenant to one
 * ACTIVE INTERACTIVE IdP; non-interactive ones, multi-cloud included, may coexist in any number.
 * The multi-cloud payload {provider:'qlik', protocol:'qsefw-local-bearer-token', interactive:false, base64Encoded,
 * tenantIds} is not in the official spec (code BD-MC): Assumption A7, variant 'idp-create-payload' ('options-only':
 * the token must come in options.base64Encoded, as the spec asks of non-interactive IdPs; 400 otherwise).
 * The token is write-only: never echoed back.
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

/**
 * The stable key inside a local bearer token text. Variant 'token-text' = 'per-call' (Assumption A12): the HDS
 * wraps the same key in base64 JSON {kind, key, nonce, timestamp} with a fresh nonce and timestamp on every call;
 * 'stable' answers the key itself.
 */
export function localBearerKey(text: string): string {
  try {
    const definition = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown;
    if (definition && typeof definition === 'object' && typeof (definition as { key?: unknown }).key === 'string') return (definition as { key: string }).key;
  } catch {
    // not a wrapped definition: the text is the key
  }
  return text;
}

/** Does an IdP's stored token authenticate the deployment whose key is `qcsToken`? (the distribution's check) */
export function holdsLocalBearerToken(idpToken: string | null, qcsToken: string): boolean {
  return idpToken !== null && localBearerKey(idpToken) === localBearerKey(qcsToken);
}

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
    let token: string | null = null;
    let options = body.options ?? null;
    if (body.protocol === 'qsefw-local-bearer-token') {
      if (body.provider !== 'qlik') throw badRequest('protocol qsefw-local-bearer-token requires provider "qlik"');
      if (body.interactive) throw badRequest('a multi-cloud identity provider cannot be interactive');
      if (ctx.variants['idp-create-payload'] === 'options-only') {
        const inOptions = options?.base64Encoded;
        if (body.base64Encoded !== undefined || typeof inOptions !== 'string' || !inOptions) {
          throw badRequest('non-interactive identity providers must be created with an options payload: options.base64Encoded is required');
        }
        token = inOptions;
        const { base64Encoded: _secret, ...rest } = options!; // the token is write-only: not kept among echoed options
        options = Object.keys(rest).length > 0 ? rest : null;
      } else {
        if (!body.base64Encoded) throw badRequest('base64Encoded (the deployment\'s local bearer token, Qlik Cloud format) is required');
        token = body.base64Encoded;
      }
    }
    if (body.interactive && body.active && [...tenant.idps.values()].some((i) => i.active && i.interactive)) {
      throw badRequest('only one interactive identity provider may be active per tenant');
    }
    const now = ctx.clock.nowIso();
    const idp: IdpRecord = {
      id: ctx.ids.cloudId(`idp:${tenant.name}`), provider: body.provider, protocol: body.protocol, interactive: body.interactive,
      active: body.active, description: body.description, tenantIds: body.tenantIds, base64Encoded: token,
      options, created: now, lastUpdated: now,
    };
    tenant.idps.set(idp.id, idp);
    ctx.engine.onIdpChanged(tenant.url);
    return json(201, shapes.identityProvider(idp));
  });

  router.on('GET', `${base}/:id`, (req, { id }) => json(200, shapes.identityProvider(byId(req, id))));

  router.on('PATCH', `${base}/:id`, (req, { id }) => {
    const tenant = ctx.tenantOf(req);
    const idp = byId(req, id);
    const ops = readCloudBody(req, idpPatch);
    // "Partial failure is treated as complete failure": check every op before applying any.
    const paths = idp.protocol === 'jwtAuth' ? ['/description'] : ['/active', '/description'];
    const otherInteractiveActive = [...tenant.idps.values()].some((i) => i !== idp && i.active && i.interactive);
    for (const op of ops) {
      if (op.op !== 'replace') continue;
      if (!paths.includes(op.path ?? '')) throw badRequest(`unsupported patch path "${op.path}" for protocol ${idp.protocol} (supported: ${paths.join(', ')})`);
      if (op.path === '/active' && op.value === true && idp.interactive && otherInteractiveActive) throw badRequest('only one interactive identity provider may be active per tenant');
    }
    for (const op of ops) {
      if (op.op !== 'replace') continue;
      if (op.path === '/description') idp.description = String(op.value ?? '');
      else idp.active = op.value === true;
    }
    idp.lastUpdated = ctx.clock.nowIso();
    ctx.engine.onIdpChanged(tenant.url);
    return noContent;
  });

  router.on('DELETE', `${base}/:id`, (req, { id }) => {
    ctx.tenantOf(req).idps.delete(byId(req, id).id);
    return noContent;
  });
}
