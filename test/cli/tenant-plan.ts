/** For CLI tests: a plan for a simulator whose tenants carry names unique to the test (the simulator maps by URL). */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { distributableApps, readSite } from '../../src/cli/dry-run/inspect';
import type { PlanFile } from '../../src/plan/schema';
import { simulatorPlan, simulatorPlanFile } from '../../src/plan/simulator-plan';
import type { Simulator } from '../../src/simulator';

export interface NamedTenantPlan {
  file: string;
  /** Plan tenant name -> simulator tenant. */
  tenants: string[];
}

/**
 * Writes `dir/<name>.yaml`: the simulator's first tenants under the given names (so syncs of other test files on
 * the shared dev server never match them), only apps that pass verification, and the given waves (default one).
 */
export async function writeNamedTenantPlan(
  sim: Simulator,
  dir: string,
  name: string,
  tenantNames: string[],
  waves?: PlanFile['waves'],
): Promise<NamedTenantPlan> {
  const apps = distributableApps(simulatorPlan(sim, { name }), await readSite(simulatorPlan(sim, { name })));
  const base = simulatorPlanFile(sim, { name, apps });
  const plan: PlanFile = {
    ...base,
    tenants: tenantNames.map((tenant, i) => ({ ...base.tenants[i], name: tenant })),
    waves: waves ?? [{ name: 'all', tenants: ['*'] }],
  };
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, stringify(plan));
  return { file, tenants: tenantNames };
}
