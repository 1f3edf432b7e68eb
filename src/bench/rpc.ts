/**
 * A tiny request/response protocol over Node's IPC channel, so the bench can run the simulator and the worker in
 * their own processes (their peak memory is then measured separately) and still ask them things.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

interface RpcRequest { rpc: 'request'; id: number; method: string; params: unknown }
interface RpcReply { rpc: 'reply'; id: number; result?: unknown; error?: string }
interface RpcReady { rpc: 'ready'; info: unknown }
type RpcMessage = RpcRequest | RpcReply | RpcReady;

export type Handlers = Record<string, (params: never) => unknown>;

export interface ChildHandle<Info> {
  pid: number;
  info: Info;
  call<T>(method: string, params?: unknown): Promise<T>;
  /** Rejects if the child exits before stop() was called (a crash, an out-of-memory kill). */
  crashed: Promise<never>;
  /** Asks the child to stop, then waits for it to exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Runs a sibling entry point of this module: the compiled .js in dist, or the .ts source through tsx (tests). */
export function forkSibling(entry: string, options: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {}): ChildProcess {
  const isTs = __filename.endsWith('.ts');
  const script = path.join(__dirname, `${entry}${isTs ? '.ts' : '.js'}`);
  return fork(script, [], {
    env: { ...process.env, ...options.env },
    execArgv: [...(isTs ? ['--import', 'tsx'] : []), ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Waits for the child's `ready` message and returns a handle to call it. */
export async function connectChild<Info>(child: ChildProcess, name: string, readyTimeoutMs = 120_000): Promise<ChildHandle<Info>> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;
  let stopping = false;
  let reportCrash: (err: Error) => void = () => undefined;
  const crashed = new Promise<never>((_, reject) => { reportCrash = reject; });
  crashed.catch(() => undefined); // observed by whoever races it
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exited = true;
    if (!stopping) reportCrash(new Error(`${name} (pid ${child.pid}) exited unexpectedly (${code ?? signal})`));
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal}) before answering`));
    pending.clear();
    resolve();
  }));
  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
    void exit.then(() => reject(new Error(`${name} exited during start`)));
    child.on('message', (raw: RpcMessage) => {
      if (raw.rpc === 'ready') { clearTimeout(timer); resolve(raw.info as Info); }
      if (raw.rpc === 'reply') {
        const waiter = pending.get(raw.id);
        pending.delete(raw.id);
        if (raw.error !== undefined) waiter?.reject(new Error(`${name}: ${raw.error}`));
        else waiter?.resolve(raw.result);
      }
    });
  });
  const call = <T>(method: string, params?: unknown) => new Promise<T>((resolve, reject) => {
    if (exited) { reject(new Error(`${name} has exited`)); return; }
    const id = nextId++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    child.send({ rpc: 'request', id, method, params } satisfies RpcRequest);
  });
  return {
    pid: child.pid ?? -1,
    info,
    call,
    crashed,
    async stop(graceMs = 15_000) {
      stopping = true;
      if (exited) return;
      await call('stop').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Child side: serve `handlers` (plus `stop`, which runs `onStop` and exits) and announce `info`. */
export function serveParent(info: unknown, handlers: Handlers, onStop: () => Promise<void>): void {
  if (!process.send) throw new Error('this entry point runs as a child of the bench (IPC channel missing)');
  const reply = (message: RpcReply) => { if (process.connected) process.send?.(message); };
  let stopping: Promise<void> | undefined;
  const stopOnce = () => (stopping ??= onStop().catch(() => undefined));
  process.on('message', (raw: RpcMessage) => {
    if (raw.rpc !== 'request') return;
    if (raw.method === 'stop') {
      void stopOnce().finally(() => { reply({ rpc: 'reply', id: raw.id, result: true }); setTimeout(() => process.exit(0), 50); });
      return;
    }
    const handler = handlers[raw.method];
    if (!handler) { reply({ rpc: 'reply', id: raw.id, error: `unknown method ${raw.method}` }); return; }
    Promise.resolve()
      .then(() => handler(raw.params as never))
      .then((result) => reply({ rpc: 'reply', id: raw.id, result }), (err: Error) => reply({ rpc: 'reply', id: raw.id, error: err.message }));
  });
  // The bench died: do not linger.
  process.on('disconnect', () => { void stopOnce().finally(() => process.exit(0)); });
  process.send({ rpc: 'ready', info } satisfies RpcReady);
}
