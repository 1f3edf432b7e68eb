import type { CommandContext } from '../context';
import { CliError } from '../io';

export async function demoCommand(_ctx: CommandContext, _o: object): Promise<number> {
  throw new CliError('demo: not implemented yet');
}
