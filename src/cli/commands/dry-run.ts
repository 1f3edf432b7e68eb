/** plan: a read-only dry run of a plan against QSEoW and every tenant. */
import { closeAllPools } from '../../qlik/pools';
import { type CommandContext, loadPlanOrExit } from '../context';
import { BadInputError, CliError, colours, ExitCode, printResult } from '../io';
import { previewTenant, readSite, type PreviewAction, type TenantPreview } from '../dry-run/inspect';
import { syncProbe } from '../dry-run/sync';

/** Tenants read at once: enough to be quick, few enough to stay far from Qlik Cloud's rate limits. */
const READ_CONCURRENCY = 8;

/** Runs `fn` over `items`, at most `limit` at once, keeping the order (also used by the doctor). */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** For the sync line's "not reachable at ..."; a profile that cannot be read is reported by connecting. */
function temporalAddress(ctx: CommandContext): string {
  try {
    return ctx.settings().address;
  } catch {
    return 'the configured address';
  }
}

export async function dryRunCommand(ctx: CommandContext, planFile: string, only?: string[]): Promise<number> {
  const plan = loadPlanOrExit(planFile);
  const unknown = (only ?? []).filter((name) => !plan.tenants.some((t) => t.name === name));
  if (unknown.length > 0) throw new BadInputError(`--tenant ${unknown.join(', ')}: not in the plan's tenants.`);
  const entries = only ? plan.tenants.filter((t) => only.includes(t.name)) : plan.tenants;
  let previews: TenantPreview[];
  try {
    const site = await readSite(plan).catch((err: Error) => {
      throw new CliError(`Cannot read QSEoW at ${plan.source.qrsUrl}: ${err.message}`);
    });
    // Temporal is asked only about the sync line; the rest of the dry run works without it.
    const sync = syncProbe(plan, temporalAddress(ctx), async () => (await ctx.temporal()).client);
    previews = await mapLimited(entries, READ_CONCURRENCY, (entry) => previewTenant(plan, site, entry, sync));
  } finally {
    await closeAllPools();
  }
  const count = (action: PreviewAction) => previews.reduce((n, p) => n + p.phases.filter((ph) => ph.action === action).length, 0);
  const summary = { changes: count('create') + count('update'), waits: count('wait'), problems: count('problem'), unchanged: count('unchanged'), unknown: count('unknown') };
  const c = colours(ctx.io);
  const paint: Record<PreviewAction, (s: string) => string> = { create: c.green, update: c.yellow, unchanged: c.dim, wait: c.cyan, problem: c.red, unknown: c.yellow };
  printResult(ctx.io, ctx.options, { rolloutId: plan.name, writes: 0, summary, tenants: previews }, () =>
    [
      `Dry run of rollout ${plan.name} (nothing was written):`,
      ...previews.flatMap((p) => [
        `${c.bold(p.tenant)} ${c.dim(`(wave ${p.wave})`)}`,
        ...p.phases.map((ph) => `  ${ph.phase.padEnd(10)} ${paint[ph.action](ph.action.padEnd(9))} ${ph.detail}`),
      ]),
      `${previews.length} tenant(s): ${summary.changes} change(s), ${summary.waits} wait(s) for distribution, ${summary.problems} problem(s), ${summary.unchanged} phase(s) already in place${summary.unknown > 0 ? `, ${summary.unknown} unknown` : ''}.`,
    ].join('\n'),
  );
  return summary.problems > 0 ? ExitCode.Failure : ExitCode.Ok;
}
