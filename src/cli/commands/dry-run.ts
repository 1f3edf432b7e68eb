import type { CommandContext } from '../context';
import { CliError } from '../io';

export async function dryRunCommand(_ctx: CommandContext, _plan: string, _tenants?: string[]): Promise<number> {
  throw new CliError('plan: not implemented yet');
}
