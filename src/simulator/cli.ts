/**
 * `qlik-rollout simulator --tenants N --port P --seed S` (wired by the CLI): starts the simulator in the foreground,
 * prints the URLs and the secrets dir, and stops cleanly on SIGINT/SIGTERM.
 */
import { Command, InvalidArgumentError } from 'commander';
import { QlikSimulator } from './simulator';

function int(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}`);
    return n;
  };
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
    .option('--secrets-dir <dir>', 'where API keys and the QRS JWT are written')
    .option('--no-rate-limits', 'disable Qlik Cloud rate limits')
    .option('--without-managed-spaces <names>', 'comma-separated tenants whose edition lacks managed spaces', '')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const o = program.opts<{ tenants: number; port: number; seed: number; distributionDelay: number; secretsDir?: string; rateLimits: boolean; withoutManagedSpaces: string }>();
  const simulator = await new QlikSimulator({
    tenants: o.tenants, port: o.port, seed: o.seed, distributionDelayMs: o.distributionDelay, secretsDir: o.secretsDir, rateLimits: o.rateLimits,
    tenantsWithoutManagedSpaces: o.withoutManagedSpaces ? o.withoutManagedSpaces.split(',') : [],
  }).start();
  out(`QSEoW QRS:        ${simulator.qrsUrl}/qrs   (JWT: ${simulator.qrsTokenRef})`);
  out(`Deployments API:  ${simulator.deploymentsUrl}/api/hds/v1/Deployments`);
  out(`Admin:            ${simulator.adminUrl}   (GET /info, /state, /requests; POST /faults, /reload, /tenant-down)`);
  out(`Secrets dir:      ${simulator.secretsDir}`);
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
