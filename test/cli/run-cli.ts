import { runCli } from '../../src/cli/main';
import { testRunState } from '../helpers/temporal';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a CLI invocation sees in tests: the run's real dev server, and nothing from the user's config. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const state = testRunState();
  return {
    TEMPORAL_ADDRESS: state.address,
    TEMPORAL_NAMESPACE: state.namespace,
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    NO_COLOR: '1',
    ...extra,
  };
}

/** Runs the CLI in-process with captured output, as a person or a script would run it. */
export async function cli(args: string[], options: { env?: Record<string, string>; signal?: AbortSignal; readLine?: () => Promise<string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? cliEnv(),
    signal: options.signal,
    readLine: options.readLine,
  });
  return { code, stdout, stderr };
}

let counter = 0;
/** A rollout name unique to this test run, so test files sharing the dev server never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${counter++}`;
}
