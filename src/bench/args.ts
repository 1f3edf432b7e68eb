/** Command line of `npm run bench` (flags validated with zod, so a typo is an error, not a silent default). */
import { Command } from 'commander';
import { z } from 'zod';

export const SCENARIOS = ['throughput', 'latency', 'scale', 'sync'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const ArgsSchema = z.object({
  only: z.array(z.enum(SCENARIOS)).min(1),
  tenants: z.number().int().min(1).max(60_000).optional(),
  baselineTenants: z.number().int().min(1).max(1_000),
  scaleTenants: z.number().int().min(1).max(60_000),
  concurrency: z.number().int().min(1).max(1_000).optional(),
  out: z.string().min(1),
  profile: z.boolean(),
});
export type BenchArgs = z.infer<typeof ArgsSchema>;

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchArgs {
  const program = new Command('bench')
    .description('Benchmark qlik-rollout on a real Temporal dev server and the Qlik simulator')
    .option('--only <list>', `comma-separated scenarios: ${SCENARIOS.join(',')} (default: all but scale)`)
    .option('--scale', 'also run the 10,000-tenant scale scenario (or BENCH_SCALE=1)')
    .option('--tenants <n>', 'tenant count for every scenario run (overrides each default)')
    .option('--baseline-tenants <n>', 'tenants of the sequential baseline (extrapolated per tenant)', '10')
    .option('--scale-tenants <n>', 'tenants of the scale scenario', '10000')
    .option('--concurrency <n>', 'tenants in flight at once (default: all of them, at most 1,000)')
    .option('--out <dir>', 'where latest.json and latest.md are written', 'bench/results')
    .option('--profile', 'run the worker and the simulator under node --cpu-prof and summarise the top frames')
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const o = program.opts<{ only?: string; scale?: boolean; tenants?: string; baselineTenants: string; scaleTenants: string; concurrency?: string; out: string; profile?: boolean }>();
  const scale = o.scale === true || env.BENCH_SCALE === '1';
  const only = o.only ? o.only.split(',').map((s) => s.trim()).filter(Boolean) : ['throughput', 'latency', 'sync', ...(scale ? ['scale'] : [])];
  if (scale && !only.includes('scale')) only.push('scale');
  const parsed = ArgsSchema.safeParse({
    only,
    tenants: o.tenants === undefined ? undefined : Number(o.tenants),
    baselineTenants: Number(o.baselineTenants),
    scaleTenants: Number(o.scaleTenants),
    concurrency: o.concurrency === undefined ? undefined : Number(o.concurrency),
    out: o.out,
    profile: o.profile === true,
  });
  if (!parsed.success) {
    throw new Error(`bench: ${parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
