/** validate: checks a plan file without touching anything; exit 2 with every problem located when it is wrong. */
import { loadPlanFile, PlanError } from '../../plan/load';
import { escapeText } from '../../plan/text';
import type { RolloutPlan } from '../../plan/types';
import type { CommandContext } from '../context';
import { BadInputError, ExitCode, printResult } from '../io';

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

export function describePlan(plan: RolloutPlan): string {
  const waves = plan.waves.map((w) => {
    const extras = [`${w.tenants.length} tenant${w.tenants.length === 1 ? '' : 's'}`, `${w.concurrency} at once`];
    if (w.soakMs) extras.push(`soak ${formatMs(w.soakMs)}`);
    if (w.approval) extras.push('approval');
    return `    ${w.name}: ${extras.join(', ')}`;
  });
  return [
    `Rollout ${plan.name}: ${plan.apps.map((a) => `"${a.name}"`).join(', ')} from stream ${plan.policy.stream} to ${plan.tenants.length} tenants`,
    `  policy "${plan.policy.name}" (custom property ${plan.policy.customProperty}), max app size ${(plan.limits.maxAppSizeBytes / 1024 ** 3).toFixed(1)} GB`,
    `  waves:`,
    ...waves,
    `  failure budget overall ${plan.failureBudget}; sync ${plan.sync.enabled ? `on, polling every ${formatMs(plan.sync.pollIntervalMs)}` : 'off'}`,
  ]
    // Names come from the plan: shown escaped, so nothing in a plan can steer the terminal.
    .map(escapeText)
    .join('\n');
}

export function validateCommand(ctx: CommandContext, file: string): number {
  try {
    const plan = loadPlanFile(file);
    printResult(ctx.io, ctx.options, { valid: true, file, plan }, () => `${file} is valid.\n${describePlan(plan)}`);
    return ExitCode.Ok;
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    if (!ctx.options.json) throw new BadInputError(err.message);
    printResult(ctx.io, ctx.options, { valid: false, file: escapeText(file), issues: err.issues.map(({ pathText, line, column, message }) => ({ path: pathText, line, column, message })) }, () => '');
    return ExitCode.BadInput;
  }
}
