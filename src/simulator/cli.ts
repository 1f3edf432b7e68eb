/**
 * `qlik-rollout simulator --tenants N --port P --seed S` (wired by the CLI): starts the simulator in the foreground,
 * prints the URLs and the secrets dir, and stops cleanly on SIGINT/SIGTERM. A start that fails (port in use,
 * unwritable secrets dir) releases every port it bound and rejects, so the process can exit at once.
 */
import fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { QlikSimulator } from './simulator';
import { DEFAULT_VARIANTS, parseVariantArg, resolveVariants, type VariantKey, type Variants } from './variants';

function int(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}`);
    return n;
  };
}

/** Repeatable `--variant KEY=VALUE`; a bad key or value names the allowed ones (commander turns it into a usage error). */
function variantOption(value: string, previous: Partial<Record<string, string>> = {}): Partial<Record<string, string>> {
  try {
    return parseVariantArg(value, { ...previous });
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** The variants that differ from the defaults, as `key=value` (what a person must know about this simulator). */
export function nonDefaultVariants(variants: Variants): string[] {
  return (Object.keys(variants) as VariantKey[]).filter((key) => variants[key] !== DEFAULT_VARIANTS[key]).map((key) => `${key}=${variants[key]}`);
}

export interface SimulatorCliHandle {
  simulator: QlikSimulator;
  /** Resolves when the simulator stopped (signal). */
  done: Promise<void>;
}

export async function runSimulatorCli(args: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<SimulatorCliHandle> {
  const program = new Command('simulator')
    .description('Run the Qlik simulator (QSEoW + Qlik Cloud tenants) over real sockets')
    .option('--tenants <n>', 'number of Qlik Cloud tenants', int('tenants', 0, 65535), 10)
    .option('--port <p>', 'port shared by every simulated host (0 = any free port)', int('port', 0, 65535), 0)
    .option('--seed <s>', 'seed for ids, keys and fault dice', int('seed', 0, 2 ** 31 - 1), 1)
    .option('--distribution-delay <ms>', 'delay before a distributed app arrives in a tenant', int('distribution-delay', 0, 600_000), 200)
    .option('--secrets-dir <dir>', 'where API keys and the QRS JWT are written (created if missing)')
    .option('--no-rate-limits', 'disable Qlik Cloud rate limits')
    .option('--without-managed-spaces <names>', 'comma-separated tenants whose edition lacks managed spaces', '')
    .option('--variant <KEY=VALUE>', 'play one plausible behaviour where Qlik documents nothing (repeatable; see src/simulator/variants.ts)', variantOption)
    .exitOverride()
    // The caller reports usage errors once, with its own prefix.
    .configureOutput({ writeErr: () => undefined });
  program.parse(args, { from: 'user' });
  const o = program.opts<{ tenants: number; port: number; seed: number; distributionDelay: number; secretsDir?: string; rateLimits: boolean; withoutManagedSpaces: string; variant?: Partial<Record<string, string>> }>();
  const variants = resolveVariants(o.variant);
  // A fresh directory has no secrets dir yet: make it (owner-only, it holds keys) instead of failing after the bind.
  if (o.secretsDir) fs.mkdirSync(o.secretsDir, { recursive: true, mode: 0o700 });
  const simulator = new QlikSimulator({
    tenants: o.tenants, port: o.port, seed: o.seed, distributionDelayMs: o.distributionDelay, secretsDir: o.secretsDir, rateLimits: o.rateLimits,
    tenantsWithoutManagedSpaces: o.withoutManagedSpaces ? o.withoutManagedSpaces.split(',') : [], variants,
  });
  try {
    await simulator.start();
  } catch (err) {
    // start() may fail after binding the port (e.g. writing the secrets): release it, or the process never exits.
    await simulator.stop().catch(() => undefined);
    throw new Error(`simulator did not start: ${(err as Error).message}`);
  }
  const changed = nonDefaultVariants(simulator.variants);
  out(`QSEoW QRS:        ${simulator.qrsUrl}/qrs   (JWT: ${simulator.qrsTokenRef})`);
  out(`Deployments API:  ${simulator.deploymentsUrl}/api/hds/v1/Deployments`);
  out(`Admin:            ${simulator.adminUrl}   (GET /info, /state, /requests; POST /faults, /reload, /tenant-down)`);
  out(`Secrets dir:      ${simulator.secretsDir}`);
  out(`Variants:         ${changed.length ? changed.join(', ') : 'defaults (Qlik\'s documented or most likely behaviour)'}`);
  out(`Tenants:          ${simulator.tenants.length}${simulator.tenants.length ? ` (${simulator.tenants[0].name} ${simulator.tenants[0].url} ... ${simulator.tenants[simulator.tenants.length - 1].name} ${simulator.tenants[simulator.tenants.length - 1].url})` : ''}`);
  const done = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void simulator.stop().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { simulator, done };
}
