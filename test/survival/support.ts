/** Survival helpers: exactly-once assertions on the simulator's dump, a seeded RNG, secret collection. */
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import type { RolloutPlan } from '../../src/plan/types';
import type { SimState, Simulator, SimulatorOptions } from '../../src/simulator/api';
import type { TestTemporal } from '../helpers/temporal';
import { closeSim, startSim, useSimWorker } from '../integration/sim-rollout';

/** The simulator's seeded generator: the same seed gives the same kill moments. */
export { mulberry32 as seededRandom } from '../../src/simulator/random';

/** Problems found; empty = every tenant has exactly one policy value, deployment, IdP, managed space and app copy. */
export function exactlyOnceProblems(dump: SimState, plan: RolloutPlan, tenants: string[] = plan.tenants.map((t) => t.name)): string[] {
  const problems: string[] = [];
  const policies = dump.site.policies.filter((p) => p.name === plan.policy.name);
  if (policies.length !== 1) problems.push(`${policies.length} policies named ${plan.policy.name}`);
  const property = dump.site.customProperties.find((c) => c.name === plan.policy.customProperty);
  for (const tenant of tenants) {
    const values = property?.choiceValues.filter((v) => v === tenant).length ?? 0;
    if (values !== 1) problems.push(`${tenant}: ${values} custom property values`);
    const deployments = dump.site.deployments.filter((d) => d.name === tenant).length;
    if (deployments !== 1) problems.push(`${tenant}: ${deployments} deployments`);
    const state = dump.tenants[tenant];
    const idps = state.idps.filter((i) => i.provider === 'qsefw-local-bearer-token' || i.protocol === 'qsefw-local-bearer-token').length;
    if (idps !== 1) problems.push(`${tenant}: ${idps} IdPs`);
    const spaces = state.spaces.filter((s) => s.type === 'managed');
    if (spaces.length !== 1) problems.push(`${tenant}: ${spaces.length} managed spaces`);
    for (const app of plan.apps) {
      const copies = state.apps.filter((a) => a.name === app.name);
      if (copies.length !== 1) problems.push(`${tenant}: ${copies.length} copies of ${app.name}`);
      else if (copies[0].spaceId !== spaces[0]?.id) problems.push(`${tenant}: ${app.name} not in the managed space`);
    }
  }
  return problems;
}

/** The secret values behind the simulator's `file:` references (API keys, QRS JWT). */
export function simulatorSecrets(sim: Simulator): string[] {
  const refs = [sim.qrsTokenRef, ...sim.tenants.map((t) => t.apiKeyRef)];
  return refs.map((ref) => fs.readFileSync(ref.replace(/^file:/, ''), 'utf8').trim()).filter((s) => s.length >= 8);
}

/** The local bearer tokens the simulator issued (plain and Qlik Cloud format), read over its HDS API. */
export async function issuedBearerTokens(sim: Simulator): Promise<string[]> {
  const jwt = fs.readFileSync(sim.qrsTokenRef.replace(/^file:/, ''), 'utf8').trim();
  const xrf = 'abcdefghijklmnop';
  const get = async (path: string) => {
    const res = await fetch(`${sim.deploymentsUrl}/api/hds/v1/Deployments${path}${path.includes('?') ? '&' : '?'}xrfkey=${xrf}`, { headers: { authorization: `Bearer ${jwt}`, 'x-qlik-xrfkey': xrf } });
    if (!res.ok) throw new Error(`HDS ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  const deployments = (await (await get('')).json()) as Array<{ id: string }>;
  const tokens: string[] = [];
  for (const d of deployments) {
    tokens.push(await (await get(`/${d.id}/elastictokenconfig?qcsFormat=True`)).text());
    tokens.push(await (await get(`/${d.id}/elastictokenconfig?qcsFormat=False`)).text());
  }
  return tokens.filter((s) => s.length >= 8);
}

/**
 * Every secret value found in a history of the task queue's workflows (payloads decoded) or in the given log
 * lines; empty = no leak. Also counts what was searched, for the figures.
 */
export async function secretLeaks(client: Client, taskQueue: string, secrets: string[], logLines: unknown[]): Promise<{ leaks: string[]; histories: number; events: number; logLines: number }> {
  let histories = 0;
  let events = 0;
  const leaks: string[] = [];
  for await (const info of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const history = await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    histories++;
    events += history.events?.length ?? 0;
    const text = JSON.stringify(history, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
    for (const s of secrets) if (text.includes(s)) leaks.push(`${info.workflowId}: ${s.slice(0, 6)}...`);
  }
  const logText = logLines.map((l) => JSON.stringify(l)).join('\n');
  for (const s of secrets) if (logText.includes(s)) leaks.push(`log: ${s.slice(0, 6)}...`);
  return { leaks, histories, events, logLines: logLines.length };
}

/**
 * For a file whose tests each start their own simulator: one in-process worker for the whole file (`rig`, filled
 * before the first test), and each test's simulator (made with `start`) closed after that test.
 */
export function simPerTest(): { rig: { t: TestTemporal; taskQueue: string }; start: (options: Partial<SimulatorOptions> & { tenants: number }) => Promise<Simulator> } {
  const rig = {} as { t: TestTemporal; taskQueue: string };
  let sim: Simulator | undefined;
  useSimWorker((ready) => Object.assign(rig, ready));
  afterEach(async () => {
    await closeSim(sim);
    sim = undefined;
  });
  return { rig, start: async (options) => (sim = await startSim(options)) };
}
