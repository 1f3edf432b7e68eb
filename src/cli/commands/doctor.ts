/** doctor: read-only checks of the plan's QSEoW site and tenants, one per Qlik assumption (src/doctor). */
import { runDoctor } from '../../doctor/run';
import { renderReport } from '../../doctor/report';
import { closeAllPools } from '../../qlik/pools';
import { type CommandContext, loadPlanOrExit } from '../context';
import { BadInputError, colours, printResult } from '../io';

export interface DoctorCommandOptions {
  tenant?: string[];
  /** commander's --no-selection */
  selection?: boolean;
}

export async function doctorCommand(ctx: CommandContext, planFile: string, options: DoctorCommandOptions): Promise<number> {
  const plan = loadPlanOrExit(planFile);
  const unknown = (options.tenant ?? []).filter((name) => !plan.tenants.some((t) => t.name === name));
  if (unknown.length > 0) throw new BadInputError(`--tenant ${unknown.join(', ')}: not in the plan's tenants.`);
  let report;
  try {
    report = await runDoctor(plan, { tenants: options.tenant, selection: options.selection !== false });
  } finally {
    await closeAllPools();
  }
  printResult(ctx.io, ctx.options, report, () => renderReport(report, colours(ctx.io)));
  return report.exitCode;
}
