/**
 * For the doctor tests: a simulator whose first tenant already received the plan's apps (deployment, IdP, policy,
 * custom property values, set up with the tool's own clients), a plan file pointing at it, and the checks that a
 * doctor run wrote nothing and printed no secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { phaseContext } from '../../src/plan/tenant';
import { simulatorPlan, simulatorPlanYaml } from '../../src/plan/simulator-plan';
import { qrsApps } from '../../src/qlik/qrs/apps';
import { qrsClient } from '../../src/qlik/qrs/client';
import { customPropertyDefinitions } from '../../src/qlik/qrs/custom-properties';
import { systemRules } from '../../src/qlik/qrs/system-rules';
import { createLogger } from '../../src/shared/logger';
import { startSimulator, type Simulator, type SimRequestLogEntry } from '../../src/simulator';
import { cli, type CliRun } from '../cli/run-cli';

export const PLAN_APPS = ['Sales Analytics', 'Operations Overview'];
export const POLICY_CATEGORY = 'Security';

const ignore = () => undefined;
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };
const activities = createActivities({ logger: createLogger({ level: 'silent' }), pollIntervalMs: 25 });

export interface DoctorSim {
  sim: Simulator & { secretsDir: string };
  dir: string;
  planFile: string;
  stop(): Promise<void>;
}

export async function startDoctorSim(dir: string, options: { variants?: Record<string, string>; tenantsWithoutManagedSpaces?: string[]; distribute?: boolean; policyCategory?: string } = {}): Promise<DoctorSim> {
  fs.mkdirSync(path.join(dir, 'secrets'), { recursive: true });
  const sim = await startSimulator({ tenants: 2, seed: 11, distributionDelayMs: 30, variants: options.variants, tenantsWithoutManagedSpaces: options.tenantsWithoutManagedSpaces, secretsDir: path.join(dir, 'secrets') });
  const planFile = path.join(dir, 'plan.yaml');
  fs.writeFileSync(planFile, simulatorPlanYaml(sim, { name: 'doctor-test', apps: PLAN_APPS }));
  if (options.distribute !== false) await distributeToFirstTenant(sim, options.policyCategory ?? POLICY_CATEGORY);
  sim.clearRequestLog();
  return { sim, dir, planFile, stop: () => sim.stop() };
}

/** Phases 3-4 with the activities, then the policy (default category Security) and the apps' values with plain QRS calls. */
async function distributeToFirstTenant(sim: Simulator, category: string): Promise<void> {
  const plan = simulatorPlan(sim, { name: 'doctor-test', apps: PLAN_APPS });
  const tenant = plan.tenants[0];
  const ctx = phaseContext(plan.name, plan, tenant);
  const env = new MockActivityEnvironment(undefined, { logger: quiet });
  await env.run(activities.ensureDeployment, ctx);
  await env.run(activities.ensureIdp, ctx);
  const qrs = await qrsClient(plan.source);
  const [definition] = await customPropertyDefinitions.list(qrs, `name eq '${plan.policy.customProperty}'`);
  await systemRules.create(qrs, {
    name: plan.policy.name, category, type: 'Custom', resourceFilter: 'App_*', actions: 1024, ruleContext: 0, disabled: false,
    rule: `((resource.@${plan.policy.customProperty} = subject.name and resource.stream.name = "${plan.policy.stream}"))`,
    comment: 'Distribution policy managed by qlik-rollout (doctor test)',
  });
  for (const name of PLAN_APPS) {
    const [app] = await qrsApps.list(qrs, `name eq '${name}'`);
    await qrsApps.update(qrs, { ...app, customProperties: [...app.customProperties, { value: tenant.name, definition: { id: definition.id, name: definition.name } }] });
  }
  for (let i = 0; i < 400 && sim.dump().tenants[tenant.name].apps.length < PLAN_APPS.length; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (sim.dump().tenants[tenant.name].apps.length < PLAN_APPS.length) throw new Error('the apps did not arrive in the first tenant');
}

export interface DoctorJson {
  exitCode: number;
  checks: Array<{ id: string; scope: string; answer: string; evidence: string; breaks: boolean; fix?: string; observed?: Record<string, string> }>;
}

export async function doctor(planFile: string, ...args: string[]): Promise<CliRun> {
  return cli(['doctor', planFile, ...args], { env: { NO_COLOR: '1', TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' } });
}

export function checkOf(report: DoctorJson, id: string, scope = 'site') {
  const found = report.checks.find((c) => c.id === id && c.scope === scope);
  if (!found) throw new Error(`no check ${id} for ${scope}`);
  return found;
}

/** "Read-only by Qlik's definition": GETs, the QRS table view, and a selection made and deleted for A2. */
export function writesIn(log: SimRequestLogEntry[]): SimRequestLogEntry[] {
  return log.filter((entry) => {
    const p = entry.path.split('?')[0];
    if (entry.method === 'GET') return false;
    if (entry.method === 'POST' && /\/qrs\/[a-z]+\/table$/i.test(p)) return false;
    if (entry.method === 'POST' && /\/qrs\/selection$/i.test(p)) return false;
    if (entry.method === 'DELETE' && /\/qrs\/selection\/[0-9a-f-]{36}$/i.test(p)) return false;
    return true;
  });
}

/** Every secret the simulator wrote (JWT, API keys, certificates: whole files and their long lines). */
export function simulatorSecrets(secretsDir: string): string[] {
  return fs.readdirSync(secretsDir).flatMap((file) => {
    const text = fs.readFileSync(path.join(secretsDir, file), 'utf8').trim();
    return [text, ...text.split('\n').map((line) => line.trim()).filter((line) => line.length >= 32 && !line.startsWith('-----'))];
  });
}
