import type { CommandContext } from '../context';
import { CliError } from '../io';

export async function workerCommand(_ctx: CommandContext): Promise<number> {
  throw new CliError('worker: not implemented yet');
}
export async function simulatorCommand(_ctx: CommandContext, _o: object): Promise<number> {
  throw new CliError('simulator: not implemented yet');
}
