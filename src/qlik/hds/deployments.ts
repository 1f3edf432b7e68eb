/**
 * The Hybrid Deployment Service's deployments (undocumented API, reached through the QSEoW virtual proxy at
 * /api/hds/v1/Deployments): a deployment registers a Qlik Cloud tenant on QSEoW under a name that the
 * distribution policy matches as `subject.name`.
 *
 * Only a JWT virtual proxy leads there (the one public script calls https://host/jwt/api/hds/v1/... with a bearer
 * JWT); port 4242 with certificates serves the QRS alone. So with certificate QRS auth the plan gives the deployments
 * API a JWT of its own (source.deployments.auth; audit F3).
 */
import { z } from 'zod';
import type { SourceSpec } from '../../plan/types';
import { assumptionMessage } from '../assumptions';
import { configFailure } from '../errors';
import { qseowTransport, type QseowAuth } from '../qrs/client';
import type { Transport } from '../transport';

/**
 * Assumption A1: the only source (a PowerShell script, whose property access ignores case) cannot tell id/Id,
 * name/Name, serviceUrl/ServiceUrl apart, so the known fields are read whatever their case.
 */
const FIELDS = ['id', 'name', 'serviceUrl', 'audience', 'localBearerToken'] as const;
const FIELD_BY_LOWER = new Map<string, string>(FIELDS.map((field) => [field.toLowerCase(), field]));

function camelFields(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[FIELD_BY_LOWER.get(key.toLowerCase()) ?? key] = field;
  return out;
}

const DeploymentObjectSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  serviceUrl: z.string().optional(),
  audience: z.string().optional(),
  localBearerToken: z.boolean().optional(),
});
export const DeploymentSchema = z.preprocess(camelFields, DeploymentObjectSchema);
export type Deployment = z.output<typeof DeploymentObjectSchema>;

// Assumption A1: the list answer's envelope is not documented: a bare array or a {data: [...]} (any case) wrapper.
const DeploymentListSchema = z.union([
  z.array(DeploymentSchema),
  z.preprocess(
    (body) => (body && typeof body === 'object' && !Array.isArray(body) ? Object.entries(body).find(([key]) => key.toLowerCase() === 'data')?.[1] : body),
    z.array(DeploymentSchema),
  ),
]);

// The token comes as text ("Qlik Cloud format", base64) or as a JSON string / { token } object.
const TokenSchema = z.string().transform((text, ctx) => {
  let value: unknown = text.trim();
  try {
    value = JSON.parse(text);
  } catch {
    // plain text
  }
  if (value && typeof value === 'object') value = (value as Record<string, unknown>).token ?? (value as Record<string, unknown>).value;
  if (typeof value !== 'string' || !value.trim()) {
    ctx.addIssue({ code: 'custom', message: 'no token in the answer' });
    return z.NEVER;
  }
  return value.trim();
});

/** The deployments API's credentials: its own JWT, else the QRS JWT; certificates alone never reach it. */
function deploymentsAuth(source: SourceSpec): QseowAuth {
  if (source.deploymentsAuth) return source.deploymentsAuth;
  if (source.auth.type === 'jwt') return source.auth;
  throw configFailure(
    `QSEoW site ${source.deploymentsUrl}: the QRS uses a client certificate, which does not open the deployments API (it answers only through a JWT virtual proxy): set source.deployments.url to the JWT virtual proxy and source.deployments.auth to {type: jwt, token: env:NAME} in the plan.`,
  );
}

export const hdsClient = async (source: SourceSpec): Promise<Transport> => qseowTransport(source, source.deploymentsUrl, 'hds', deploymentsAuth(source));

export async function listDeployments(hds: Transport): Promise<Deployment[]> {
  const { data } = await hds.request({ method: 'GET', route: '/api/hds/v1/Deployments', schema: z.unknown() });
  const parsed = DeploymentListSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const shape = Array.isArray(data) ? 'an array' : data && typeof data === 'object' ? `an object with keys ${Object.keys(data).slice(0, 8).join(', ') || '(none)'}` : typeof data;
    throw configFailure(
      assumptionMessage('A1', `GET /api/hds/v1/Deployments on ${hds.target} answered ${shape}, not a list of deployments with id and name (${issue.path.join('.') || '(body)'}: ${issue.message})`),
    );
  }
  return parsed.data;
}

export async function findDeployment(hds: Transport, name: string): Promise<Deployment | undefined> {
  return (await listDeployments(hds)).find((deployment) => deployment.name === name);
}

export async function createDeployment(hds: Transport, input: { name: string; serviceUrl: string }): Promise<Deployment> {
  const body = { name: input.name, audience: 'qlik.api', serviceUrl: input.serviceUrl, localBearerToken: true };
  return (await hds.request({ method: 'POST', route: '/api/hds/v1/Deployments', body, schema: DeploymentSchema })).data;
}

/** The deployment's local bearer token in Qlik Cloud format: a secret, only ever passed to the IdP call. */
export async function readLocalBearerToken(hds: Transport, deploymentId: string): Promise<string> {
  const res = await hds.request({
    method: 'GET',
    route: '/api/hds/v1/Deployments/{id}/elastictokenconfig',
    params: { id: deploymentId },
    query: { qcsFormat: 'True' },
    schema: TokenSchema,
    text: true,
  });
  return res.data;
}
