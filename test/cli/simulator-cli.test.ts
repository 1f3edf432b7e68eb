/**
 * `qlik-rollout simulator` as a person starts it: a child process (tsx on the CLI's source) in an EMPTY directory.
 * It must make what it needs, stay up printing its URLs, exit non-zero at once when it cannot start (leaving no
 * port bound), and write a plan that validates and whose apps all pass verification.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/devserver/free-port';
import { cli } from './run-cli';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(ROOT, 'src/cli/main.ts');

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startCli(args: string[], cwd: string): Running {
  const child = spawn(TSX, [MAIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(run: Running, pattern: RegExp, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode} before ${pattern}:\n${run.output()}`);
    if (Date.now() > until) throw new Error(`no ${pattern} within ${ms} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves to the exit code, or throws if the process is still running after ms (the hang this guards against). */
async function exitWithin(run: Running, ms: number): Promise<number | null> {
  const timer = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms).unref());
  const result = await Promise.race([run.exited, timer]);
  if (result === 'hung') {
    run.child.kill('SIGKILL');
    throw new Error(`still running after ${ms} ms:\n${run.output()}`);
  }
  return result;
}

function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false)).listen(port, host, () => server.close(() => resolve(true)));
  });
}

const dirs: string[] = [];
const running: Running[] = [];
const emptyDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
  dirs.push(dir);
  return dir;
};
const start = (args: string[], cwd: string) => {
  const run = startCli(args, cwd);
  running.push(run);
  return run;
};

afterAll(() => {
  for (const run of running) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

test('in an empty directory it creates its secrets, prints its URLs, stays up, and stops on Ctrl-C', async () => {
  const dir = emptyDir();
  const port = await freePort();
  const run = start(['simulator', '--tenants', '3', '--port', String(port), '--seed', '7'], dir);
  await waitFor(run, /Ctrl-C stops it/);
  expect(run.output()).toContain(`QSEoW QRS:        http://127.0.0.1:${port}/jwt/qrs`);
  expect(run.output()).toMatch(/Variants: +defaults/);
  expect(fs.existsSync(path.join(dir, '.sim/secrets/qrs.jwt'))).toBe(true);
  expect(fs.existsSync(path.join(dir, '.sim/secrets/tenant-003.apikey'))).toBe(true);
  // Still up a moment later, answering on its admin route.
  await new Promise((r) => setTimeout(r, 500));
  expect(run.child.exitCode).toBeNull();
  const info = await fetch(`http://127.0.0.1:${port}/__sim/info`);
  expect(info.status).toBe(200);
  run.child.kill('SIGINT');
  expect(await exitWithin(run, 10_000)).toBe(0);
  expect(await portIsFree(port)).toBe(true);
});

test('a port in use is a start-up failure: non-zero exit at once', async () => {
  const dir = emptyDir();
  const blocker = net.createServer();
  const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)));
  try {
    const began = Date.now();
    const run = start(['simulator', '--tenants', '2', '--port', String(port)], dir);
    expect(await exitWithin(run, 15_000)).toBe(1);
    expect(run.output()).toMatch(/error: simulator did not start: .*EADDRINUSE/);
    expect(Date.now() - began).toBeLessThan(15_000);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

test('secrets that cannot be written (after the port is bound) exit non-zero and release the port', async () => {
  const dir = emptyDir();
  // A directory where the JWT file should go: the write fails after the QSEoW port is already listening.
  fs.mkdirSync(path.join(dir, '.sim/secrets/qrs.jwt'), { recursive: true });
  const port = await freePort();
  const run = start(['simulator', '--tenants', '2', '--port', String(port)], dir);
  expect(await exitWithin(run, 15_000)).toBe(1);
  expect(run.output()).toMatch(/error: simulator did not start: .*qrs\.jwt/);
  expect(await portIsFree(port)).toBe(true);
});

test('a bad --variant exits 2 naming the allowed values; a good one is printed', async () => {
  const dir = emptyDir();
  const bad = start(['simulator', '--tenants', '1', '--variant', 'copy-id=bogus'], dir);
  expect(await exitWithin(bad, 15_000)).toBe(2);
  expect(bad.output()).toMatch(/copy-id takes new \| same/);
  const unknown = start(['simulator', '--tenants', '1', '--variant', 'nope=1'], dir);
  expect(await exitWithin(unknown, 15_000)).toBe(2);
  expect(unknown.output()).toMatch(/known: hds-casing/);

  const good = start(['simulator', '--tenants', '1', '--variant', 'copy-id=same', '--variant', 'hds-casing=pascal'], dir);
  await waitFor(good, /Ctrl-C stops it/);
  expect(good.output()).toMatch(/Variants: +hds-casing=pascal, copy-id=same/);
  good.child.kill('SIGINT');
  expect(await exitWithin(good, 10_000)).toBe(0);
});

test('--plan writes a plan that validates and whose apps all pass verification; --include-failing-apps adds the failing ones', async () => {
  const dir = emptyDir();
  const run = start(['simulator', '--tenants', '3', '--seed', '7', '--plan', 'out/plan.yaml'], dir);
  await waitFor(run, /Ctrl-C stops it/);
  const planFile = path.join(dir, 'out/plan.yaml');
  expect(fs.existsSync(path.join(dir, 'out/secrets/qrs.jwt'))).toBe(true);
  expect((await cli(['validate', planFile])).code).toBe(0);
  const dry = await cli(['--json', 'plan', planFile]);
  const preview = JSON.parse(dry.stdout);
  const verify = preview.tenants.map((t: { phases: Array<{ phase: string; action: string }> }) => t.phases.find((p) => p.phase === 'verify')?.action);
  expect(verify).toEqual(['unchanged', 'unchanged', 'unchanged']);
  const planned = fs.readFileSync(planFile, 'utf8');
  expect(planned).toContain('Sales Analytics');
  expect(planned).not.toContain('Failed Finance');
  expect(planned).not.toContain('Huge Warehouse');
  run.child.kill('SIGINT');
  expect(await exitWithin(run, 10_000)).toBe(0);

  const failing = start(['simulator', '--tenants', '3', '--seed', '7', '--plan', 'failing/plan.yaml', '--include-failing-apps'], dir);
  await waitFor(failing, /Ctrl-C stops it/);
  const failingFile = path.join(dir, 'failing/plan.yaml');
  expect((await cli(['validate', failingFile])).code).toBe(0);
  expect(fs.readFileSync(failingFile, 'utf8')).toContain('Failed Finance');
  const failingPreview = JSON.parse((await cli(['--json', 'plan', failingFile])).stdout);
  expect(failingPreview.tenants[0].phases.find((p: { phase: string }) => p.phase === 'verify')).toMatchObject({ action: 'problem' });
  failing.child.kill('SIGINT');
  expect(await exitWithin(failing, 10_000)).toBe(0);
});
