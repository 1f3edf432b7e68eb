/**
 * A plan for a running Qlik simulator: its QSEoW site, its published apps and every tenant, in two waves
 * (a canary of 1-2 tenants, then the rest) with an approval or a soak in between. Used by the demo, the
 * `simulator --plan` command and tests. The plan file object is returned too, so it can be written as YAML.
 */
import { stringify } from 'yaml';
import type { Simulator } from '../simulator/api';
import { API_VERSION, type PlanFile } from './schema';
import { planFromObject } from './load';
import type { RolloutPlan } from './types';

export interface SimulatorPlanOptions {
  name?: string;
  /** Tenants in the canary wave (default: 1 when there are fewer than 10 tenants, else 2). */
  canarySize?: number;
  /** Wait for `approve` after the canary (default true); false soaks instead. */
  approval?: boolean;
  soak?: string;
  concurrency?: number;
  pollInterval?: string;
  failureBudget?: { perWave: number; overall: number };
  /**
   * Only these apps (default: every published app within the size limit). The seeded apps' reload outcome is only
   * visible on the site, so a plan that must pass verification gets its list from the site
   * (`distributableApps(...)` of src/cli/dry-run/inspect.ts), as `simulator --plan` and the demo do.
   */
  apps?: string[];
  /**
   * Every seeded app in a stream, including the ones that fail verification on purpose (failed reload, too large);
   * an app in no stream cannot be named in a plan.
   */
  includeFailingApps?: boolean;
  /**
   * The managed space gets members (the simulator's group "Customers" as consumer) and the end-user check runs as
   * each tenant's simulated customer user (its key file, by reference). Default false.
   */
  customerAccess?: boolean;
}

/** managedSpace with members and, when the simulator's customer keys follow one pattern, the verification identity. */
function managedSpaceOf(sim: SimulatorPlanSource, customerAccess: boolean | undefined): NonNullable<PlanFile['tenantDefaults']>['managedSpace'] {
  if (!customerAccess) return '{name} Analytics';
  const first = sim.tenants[0];
  const pattern = first?.userKeyRefs?.customer?.replace(`${first.name}.customer.apikey`, '{name}.customer.apikey');
  const verifyAs = pattern && sim.tenants.every((t) => t.userKeyRefs?.customer === pattern.split('{name}').join(t.name)) ? pattern : undefined;
  return { name: '{name} Analytics', members: [{ group: 'Customers', roles: ['consumer'] }], ...(verifyAs ? { verifyAs } : {}) };
}

export type SimulatorPlanSource = Pick<Simulator, 'qrsUrl' | 'deploymentsUrl' | 'qrsTokenRef' | 'tenants' | 'seededApps'>;

/** The plan file (as a person would write it) for a simulator. */
export function simulatorPlanFile(sim: SimulatorPlanSource, options: SimulatorPlanOptions = {}): PlanFile {
  // Only apps that can be distributed: the simulator also seeds unpublished ones to exercise verification.
  const apps = sim.seededApps
    .filter((a) => (options.includeFailingApps ? a.stream !== '' : options.apps ? options.apps.includes(a.name) : a.published && a.fileSize <= 5 * 1024 ** 3))
    .map((a) => ({ name: a.name, stream: a.stream }));
  const canarySize = Math.min(options.canarySize ?? (sim.tenants.length < 10 ? 1 : 2), Math.max(sim.tenants.length - 1, 1));
  const canary = sim.tenants.slice(0, canarySize).map((t) => t.name);
  const approval = options.approval ?? true;
  const waves: NonNullable<PlanFile['waves']> = [
    { name: 'canary', tenants: canary, ...(approval ? { approval: true } : { soak: options.soak ?? '5s' }) },
  ];
  if (sim.tenants.length > canarySize) waves.push({ name: 'rest', tenants: ['*'] });
  return {
    apiVersion: API_VERSION,
    name: options.name ?? 'simulator-demo',
    source: {
      qrs: { url: sim.qrsUrl, auth: { type: 'jwt', token: sim.qrsTokenRef }, user: { directory: 'INTERNAL', id: 'sa_api' } },
      deployments: { url: sim.deploymentsUrl },
    },
    apps,
    policy: { customProperty: 'Deployments', stream: apps[0]?.stream ?? 'Customers' },
    limits: { maxAppSize: '5GB' },
    tenantDefaults: { managedSpace: managedSpaceOf(sim, options.customerAccess) },
    tenants: sim.tenants.map((t) => ({ name: t.name, url: t.url, auth: { type: 'apiKey' as const, key: t.apiKeyRef } })),
    waves,
    concurrency: options.concurrency ?? 8,
    failureBudget: options.failureBudget ?? { perWave: 0, overall: 0 },
    sync: { enabled: true, pollInterval: options.pollInterval ?? '1s' },
  };
}

/** The validated plan for a simulator (the same checks as a plan file). */
export function simulatorPlan(sim: SimulatorPlanSource, options: SimulatorPlanOptions = {}): RolloutPlan {
  return planFromObject(simulatorPlanFile(sim, options), 'simulator plan');
}

export function simulatorPlanYaml(sim: SimulatorPlanSource, options: SimulatorPlanOptions = {}): string {
  return `# Plan for the Qlik simulator (written by qlik-rollout); see examples/plan.yaml for every field.\n${stringify(simulatorPlanFile(sim, options), { lineWidth: 0 })}`;
}
