/** Qlik simulator entry points: startSimulator() for tests, the demo and the benchmark; runSimulatorCli() for the CLI. */
import type { Simulator, SimulatorOptions } from './api';
import { QlikSimulator, type SimulatorTuning } from './simulator';

export type * from './api';
export type { SimulatorTuning } from './simulator';
export { runSimulatorCli } from './cli';

/** Starts a simulator listening on 127.0.0.1 (QSEoW) and 127.1.x.y (one per tenant), all on one port. */
export async function startSimulator(options: SimulatorOptions & SimulatorTuning): Promise<Simulator & { secretsDir: string }> {
  return new QlikSimulator(options).start();
}
