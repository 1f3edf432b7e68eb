import { spawn, type ChildProcess } from 'node:child_process';
import { SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { freePort, waitForPort } from './free-port';
import { resolveTemporalCli, temporalCliVersion } from './temporal-cli';

export interface DevServerOptions {
  ip?: string;
  port?: number;
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  namespace?: string;
  /** SQLite file: state survives a restart of the server. In memory when absent. */
  dbFilename?: string;
  /** `--dynamic-config-value KEY=JSON`, e.g. { 'limit.historyCount.suggestContinueAsNew': 60 }. */
  dynamicConfig?: Record<string, unknown>;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  version: string;
  cliPath: string;
  pid: number;
  /** Stops the server; resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with the project's search attributes registered, on free ports,
 * and waits until its gRPC port answers.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  const cliPath = resolveTemporalCli({ log });
  const version = temporalCliVersion(cliPath);
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort(ip));
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--namespace', namespace, '--log-level', 'error'];
  let uiUrl: string | undefined;
  if (options.headless) {
    args.push('--headless');
  } else {
    const uiPort = options.uiPort ?? (await freePort(ip));
    args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
    uiUrl = `http://${ip}:${uiPort}`;
  }
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  const child: ChildProcess = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  child.stdout?.on('data', () => undefined);
  try {
    await Promise.race([
      waitForPort(ip, port, 60_000),
      exitPromise.then(() => { throw new Error(`temporal server start-dev exited early: ${stderr.trim()}`); }),
    ]);
  } catch (err) {
    if (!exited) child.kill('SIGKILL');
    throw err;
  }
  log(`Temporal dev server ${version} on ${ip}:${port}${uiUrl ? `, Web UI ${uiUrl}` : ''}`);
  return {
    address: `${ip}:${port}`,
    namespace,
    uiUrl,
    version,
    cliPath,
    pid: child.pid ?? -1,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (exited) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}
