/**
 * Proof that a benchmarked rollout did the work, read from the simulator's state: per tenant exactly one
 * deployment, one managed space, one multi-cloud IdP and exactly one copy of each app, in that space.
 */
import type { SimState } from '../simulator/api';

export interface VerifyRequest {
  tenants: string[];
  apps: string[];
  managedSpace: string;
}

export interface VerifyResult {
  checked: number;
  ok: number;
  /** The first few problems, for a person. */
  problems: string[];
  distributions: { succeeded: number; failed: number };
}

const MAX_PROBLEMS = 10;

export function verifySimulatorState(state: SimState, request: VerifyRequest): VerifyResult {
  const deployments = new Map<string, number>();
  for (const d of state.site.deployments) deployments.set(d.name, (deployments.get(d.name) ?? 0) + 1);
  const problems: string[] = [];
  let ok = 0;
  for (const tenant of request.tenants) {
    const found = problemsOf(tenant, state, deployments.get(tenant) ?? 0, request);
    if (found.length === 0) ok += 1;
    else if (problems.length < MAX_PROBLEMS) problems.push(`${tenant}: ${found.join('; ')}`);
  }
  const succeeded = state.site.distributions.filter((d) => d.status === 'succeeded').length;
  return { checked: request.tenants.length, ok, problems, distributions: { succeeded, failed: state.site.distributions.length - succeeded } };
}

function problemsOf(tenant: string, state: SimState, deployments: number, request: VerifyRequest): string[] {
  const problems: string[] = [];
  if (deployments !== 1) problems.push(`${deployments} deployments`);
  const cloud = state.tenants[tenant];
  if (!cloud) return [...problems, 'no such tenant'];
  const spaceName = request.managedSpace.replace('{name}', tenant);
  const spaces = cloud.spaces.filter((s) => s.name === spaceName && s.type === 'managed');
  if (spaces.length !== 1) problems.push(`${spaces.length} managed spaces "${spaceName}"`);
  const idps = cloud.idps.filter((i) => i.provider === 'qsefw-local-bearer-token' || i.protocol === 'qsefw-local-bearer-token');
  if (idps.length !== 1) problems.push(`${idps.length} multi-cloud IdPs`);
  for (const app of request.apps) {
    const copies = cloud.apps.filter((a) => a.name === app);
    if (copies.length !== 1) problems.push(`${copies.length} copies of "${app}"`);
    else if (spaces[0] && copies[0].spaceId !== spaces[0].id) problems.push(`"${app}" not in the managed space`);
  }
  return problems;
}
