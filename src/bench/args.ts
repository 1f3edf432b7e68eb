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
  timeLimitMinutes: z.number().positive().max(24 * 60),
  concurrency: z.number().int().min(1).max(1_000).optional(),
  out: z.string().min(1),
  profile: z.boolean(),
  cachedWorkflows: z.number().int().min(1).max(100_000),
  coalesceWrites: z.boolean(),
  workerHeapMiB: z.number().int().min(0).max(65_536),
  serverConfig: z.record(z.string(), z.unknown()),
});
export type BenchArgs = z.infer<typeof ArgsSchema>;

/** `key=json` (a bare word is a string): one `--dynamic-config-value` of `temporal server start-dev`. */
function serverConfigEntry(entry: string): [string, unknown] {
  const at = entry.indexOf('=');
  if (at <= 0) throw new Error(`bench: --server-config wants key=value, got "${entry}"`);
  const text = entry.slice(at + 1);
  try {
    return [entry.slice(0, at), JSON.parse(text)];
  } catch {
    return [entry.slice(0, at), text];
  }
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchArgs {
  const program = new Command('bench')
    .description('Benchmark qlik-rollout on a real Temporal dev server and the Qlik simulator')
    .option('--only <list>', `comma-separated scenarios: ${SCENARIOS.join(',')} (default: all but scale)`)
    .option('--scale', 'also run the 10,000-tenant scale scenario (or BENCH_SCALE=1)')
    .option('--tenants <n>', 'tenant count for every scenario run (overrides each default)')
    .option('--baseline-tenants <n>', 'tenants of the sequential baseline (extrapolated per tenant)', '10')
    .option('--scale-tenants <n>', 'tenants of the scale scenario', '10000')
    .option('--time-limit <minutes>', 'stop a throughput or scale rollout after this long and report how far it got', '60')
    .option('--concurrency <n>', 'tenants in flight at once (default: 250 for throughput/scale, all for latency/sync)')
    .option('--out <dir>', 'where latest.json and latest.md are written', 'bench/results')
    .option('--cached-workflows <n>', "the worker's sticky cache size (maxCachedWorkflows): memory against replays", '400')
    .option('--worker-heap-mib <n>', "the worker's V8 old-space limit (--max-old-space-size), as docker-compose.yml sets it for workers; 0 = Node's default", '384')
    .option('--no-coalesce', 'let concurrent tenants race for shared QSEoW objects (409 + re-read) instead of group-committing')
    .option('--profile', 'run the worker and the simulator under node --cpu-prof and summarise the top frames')
    .option('--server-config <key=json>', 'a dynamic config value of the dev server, repeatable (e.g. matching.numTaskqueueReadPartitions=1)', (entry: string, all: string[]) => [...all, entry], [] as string[])
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const o = program.opts<{ only?: string; scale?: boolean; tenants?: string; baselineTenants: string; scaleTenants: string; timeLimit: string; concurrency?: string; out: string; profile?: boolean; cachedWorkflows: string; coalesce: boolean; workerHeapMib: string; serverConfig: string[] }>();
  const scale = o.scale === true || env.BENCH_SCALE === '1';
  const only = o.only ? o.only.split(',').map((s) => s.trim()).filter(Boolean) : ['throughput', 'latency', 'sync', ...(scale ? ['scale'] : [])];
  if (scale && !only.includes('scale')) only.push('scale');
  const parsed = ArgsSchema.safeParse({
    only,
    tenants: o.tenants === undefined ? undefined : Number(o.tenants),
    baselineTenants: Number(o.baselineTenants),
    scaleTenants: Number(o.scaleTenants),
    timeLimitMinutes: Number(o.timeLimit),
    concurrency: o.concurrency === undefined ? undefined : Number(o.concurrency),
    out: o.out,
    profile: o.profile === true,
    cachedWorkflows: Number(o.cachedWorkflows),
    coalesceWrites: o.coalesce,
    workerHeapMiB: Number(o.workerHeapMib),
    serverConfig: Object.fromEntries(o.serverConfig.map(serverConfigEntry)),
  });
  if (!parsed.success) {
    throw new Error(`bench: ${parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
