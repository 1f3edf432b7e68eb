/**
 * The deployments API (HDS): reachability, A1 (list envelope and field casing, read from the raw answer), and A12
 * (is elastictokenconfig the same text on two calls; compared by hash, the token never leaves this module).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { tokenFingerprint } from '../activities/idp-marker';
import { hdsClient } from '../qlik/hds/deployments';
import type { Transport } from '../qlik/transport';
import type { DoctorContext } from './context';
import { errorEvidence, isAuthRefusal } from './evidence';
import { check, type CheckDraft } from './types';

/** A deployment as the doctor needs it, whatever the casing of the answer. */
export interface SeenDeployment {
  id: string;
  name: string;
  serviceUrl?: string;
}

export interface HdsFacts {
  hds?: Transport;
  deployments?: SeenDeployment[];
  drafts: CheckDraft[];
}

const field = (entry: Record<string, unknown>, name: string): unknown => {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : entry[key];
};

function casingOf(entries: Array<Record<string, unknown>>): 'camel' | 'pascal' | undefined {
  const keys = new Set(entries.flatMap((entry) => Object.keys(entry)));
  if (keys.has('id') && keys.has('name')) return 'camel';
  if (keys.has('Id') && keys.has('Name')) return 'pascal';
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

function checkListShape(body: unknown): { draft: CheckDraft; deployments?: SeenDeployment[] } {
  const envelope = isRecord(body) ? field(body, 'data') : undefined;
  const list = Array.isArray(body) ? body : Array.isArray(envelope) ? envelope : undefined;
  const shape = Array.isArray(body) ? 'array' : 'envelope';
  if (!list || !list.every(isRecord)) {
    const top = isRecord(body) ? `an object with fields ${Object.keys(body).slice(0, 8).join(', ') || '(none)'}` : typeof body;
    return { draft: check.contradicted('A1', `GET /api/hds/v1/Deployments answered ${top}`, 'the tool reads a bare array or {data: [...]}; report this shape to the project (the deployments phase stops naming A1)', true) };
  }
  const entries = list as Array<Record<string, unknown>>;
  const listed = `${shape === 'array' ? 'a bare array' : '{data: [...]}'} of ${entries.length}`;
  if (entries.length === 0) {
    return { draft: check.unknown('A1', `${listed}; field names unknown until a deployment exists`, 'run doctor again after the first tenant\'s deployment phase', { 'hds-list': shape }), deployments: [] };
  }
  const casing = casingOf(entries);
  const deployments = entries.flatMap((entry) => {
    const id = field(entry, 'id');
    const name = field(entry, 'name');
    const serviceUrl = field(entry, 'serviceUrl');
    return typeof id === 'string' && typeof name === 'string' ? [{ id, name, serviceUrl: typeof serviceUrl === 'string' ? serviceUrl : undefined }] : [];
  });
  const fields = Object.keys(entries[0]).slice(0, 8).join(', ');
  if (!casing || deployments.length !== entries.length) {
    return { draft: check.contradicted('A1', `${listed}; fields ${fields}`, 'a deployment without id and name: report this shape to the project (the deployments phase stops naming A1)', true, { 'hds-list': shape }) };
  }
  return { draft: check.holds('A1', `${listed}; fields ${fields}`, { 'hds-list': shape, 'hds-casing': casing }), deployments };
}

/**
 * The answer's text as sent (readLocalBearerToken may normalise it, and A12 is about the text itself). A secret:
 * only its hash and length are reported.
 */
async function rawTokenText(hds: Transport, deploymentId: string): Promise<string> {
  const route = '/api/hds/v1/Deployments/{id}/elastictokenconfig';
  return (await hds.request({ method: 'GET', route, params: { id: deploymentId }, query: { qcsFormat: 'True' }, schema: z.string(), text: true })).data;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function checkTokenText(ctx: DoctorContext, hds: Transport, deployments: SeenDeployment[]): Promise<CheckDraft> {
  const planNames = new Set(ctx.plan.tenants.map((t) => t.name));
  const deployment = deployments.find((d) => planNames.has(d.name)) ?? deployments[0];
  if (!deployment) return check.unknown('A12', 'no deployment to read a token from', 'run doctor again after the first tenant\'s deployment phase');
  try {
    const first = await rawTokenText(hds, deployment.id);
    const second = await rawTokenText(hds, deployment.id);
    ctx.secrets.add(first).add(second);
    const evidence = `two reads of ${deployment.name}'s elastictokenconfig (${first.length} and ${second.length} characters)`;
    if (sha(first) === sha(second)) return check.holds('A12', `${evidence}: identical`, { 'token-text': 'stable' });
    const observed = { 'token-text': 'per-call' };
    // The IdP phase compares fingerprints (idp-marker.ts), which leave out per-call fields of a decoded definition.
    if (tokenFingerprint(first) === tokenFingerprint(second)) {
      return check.contradicted('A12', `${evidence}: different text, same fingerprint`, 'nothing to change: the IdP phase fingerprints the definition without its per-call fields', false, observed);
    }
    return check.contradicted('A12', `${evidence}: different text and different fingerprints`, 'every run would replace each tenant\'s IdP (harmless but churns): report the token format (A12)', false, observed);
  } catch (err) {
    return check.unknown('A12', `elastictokenconfig of ${deployment.name}: ${errorEvidence(err)}`, 'the deployments API user needs to read the deployment\'s token (phase 4 reads it)');
  }
}

export async function checkHds(ctx: DoctorContext): Promise<HdsFacts> {
  const { source } = ctx.plan;
  let hds: Transport;
  let body: unknown;
  try {
    hds = await hdsClient(source);
    body = (await hds.request({ method: 'GET', route: '/api/hds/v1/Deployments', schema: z.unknown() })).data;
  } catch (err) {
    const fix = isAuthRefusal(err)
      ? 'the deployments API refused the credentials: it answers through a JWT virtual proxy (source.deployments.url and its auth)'
      : `check source.deployments.url (${source.deploymentsUrl}): /api/hds/v1/Deployments must answer there`;
    return { drafts: [check.contradicted('hds', errorEvidence(err), fix, true), check.unknown('A1', 'deployments API not reachable', 'fix check "hds" first'), check.unknown('A12', 'deployments API not reachable', 'fix check "hds" first')] };
  }
  const shape = checkListShape(body);
  const drafts = [check.holds('hds', 'GET /api/hds/v1/Deployments 200'), shape.draft];
  drafts.push(shape.deployments ? await checkTokenText(ctx, hds, shape.deployments) : check.unknown('A12', 'deployment list unreadable', 'see A1'));
  return { hds, deployments: shape.deployments, drafts };
}
