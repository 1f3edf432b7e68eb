/**
 * Reading a person's Enter from the terminal. Each read opens a readline interface and closes it after one line,
 * which pauses stdin again: a paused stdin neither keeps the process alive nor swallows the next read (a bare
 * `stdin.once('data')` after `stdin.pause()` never resumes the stream, so the demo's second prompt ignored Enter).
 */
import readline from 'node:readline';
import type { CliIo } from '../io';

/** One line per call; resolves '' at end of input or when `signal` aborts (Ctrl-C), and never leaves stdin reading. */
export function lineReader(input: NodeJS.ReadableStream, signal?: AbortSignal): () => Promise<string> {
  return () =>
    new Promise<string>((resolve) => {
      if (signal?.aborted) return resolve('');
      const rl = readline.createInterface({ input, terminal: false });
      let settled = false;
      const done = (line: string) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        rl.close();
        resolve(line);
      };
      const onAbort = () => done('');
      rl.once('line', done);
      rl.once('close', () => done(''));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
}

/**
 * Waits for Enter (io.readLine) or the stop signal, whichever comes first, without a timer: a long timer left
 * behind after Enter would keep the process alive once everything else stopped.
 */
export function untilEnterOrStop(io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    if (!io.readLine || io.signal?.aborted) return resolve();
    const finish = () => {
      io.signal?.removeEventListener('abort', finish);
      resolve();
    };
    io.signal?.addEventListener('abort', finish, { once: true });
    io.readLine().then(finish, finish);
  });
}
