/**
 * What a command may touch of the outside world, injected so tests run the CLI in-process: output streams,
 * environment, and a stop signal (Ctrl-C) for the long-running commands (watch, worker, demo).
 */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM (main) or by a test. */
  signal?: AbortSignal;
  /** Reads one line from the person at the terminal (demo approvals); absent when nobody is there. */
  readLine?: () => Promise<string>;
}

export const ExitCode = { Ok: 0, Failure: 1, BadInput: 2 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one readable message and an exit code (1 failure, 2 bad input). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.Failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class BadInputError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.BadInput);
  }
}

export interface OutputOptions {
  json?: boolean;
}

/** Writes a command's result: the JSON value for scripts with --json, else the text for people. */
export function printResult(io: CliIo, options: OutputOptions, value: unknown, text: () => string): void {
  if (options.json) io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else io.stdout.write(`${text().replace(/\n?$/, '\n')}`);
}

/** Resolves after ms, or early when the CLI is told to stop. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** ANSI colours only for a terminal (and not with NO_COLOR), so logs and pipes stay plain. */
export function colours(io: CliIo) {
  const on = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  const wrap = (code: number) => (text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { on, green: wrap(32), red: wrap(31), yellow: wrap(33), cyan: wrap(36), dim: wrap(2), bold: wrap(1) };
}

/** Settles with `work`, or with what `onTimeout` returns (or throws) once `ms` have passed; the timer never lingers. */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try { resolve(onTimeout()); } catch (err) { reject(err); }
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
