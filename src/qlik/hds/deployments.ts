/**
 * The Hybrid Deployment Service's deployments (undocumented API, reached through the QSEoW virtual proxy at
 * /api/hds/v1/Deployments): a deployment registers a Qlik Cloud tenant on QSEoW under a name that the
 * distribution policy matches as `subject.name`.
 */
import { z } from 'zod';
import type { SourceSpec } from '../../plan/types';
import { qseowTransport } from '../qrs/client';
import type { Transport } from '../transport';

export const DeploymentSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  serviceUrl: z.string().optional(),
  audience: z.string().optional(),
  localBearerToken: z.boolean().optional(),
});
export type Deployment = z.output<typeof DeploymentSchema>;

// The list answer's envelope is not documented: accept a bare array or a { data: [...] } wrapper.
const DeploymentListSchema = z.union([
  z.array(DeploymentSchema),
  z.looseObject({ data: z.array(DeploymentSchema) }).transform((body) => body.data),
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

export const hdsClient = (source: SourceSpec): Promise<Transport> => qseowTransport(source, source.deploymentsUrl, 'hds');

export async function listDeployments(hds: Transport): Promise<Deployment[]> {
  return (await hds.request({ method: 'GET', route: '/api/hds/v1/Deployments', schema: DeploymentListSchema })).data;
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
