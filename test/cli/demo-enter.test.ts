/**
 * The interactive demo at a real terminal (a pseudo-terminal from Python's pty module): Enter approves the canary,
 * and Enter at the last prompt ("press Enter (or Ctrl-C) to stop them") stops everything and the process exits 0,
 * leaving neither the dev server nor its port behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
// Runs argv on a new pseudo-terminal, copying our stdin to it and its output to our stdout; exits with its code.
const PTY = 'import os, pty, sys\nsys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-enter-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('Enter at the last prompt stops the demo and everything it started', async () => {
  const child = spawn('python3', ['-c', PTY, TSX, MAIN, 'demo', '--tenants', '2', '--dir', dir], {
    cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, ms: number) => {
    const until = Date.now() + ms;
    while (!pattern.test(output)) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`no ${pattern} (exit ${child.exitCode}):\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    await waitFor(/press Enter to approve/, 240_000);
    child.stdin.write('\n');
    await waitFor(/press Enter \(or Ctrl-C\) to stop them/, 240_000);
    const port = Number(/Temporal dev server .* on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await portIsFree(port)).toBe(false);
    const began = Date.now();
    child.stdin.write('\n');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000).unref())]);
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    expect(Date.now() - began).toBeLessThan(30_000);
    expect(output).toMatch(/stopped Temporal dev server/);
    expect(await portIsFree(port)).toBe(true);
    // Nothing the demo started is still running (the dev server's command line names its state dir).
    const left = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(path.join(dir, 'temporal.db')));
    expect(left).toEqual([]);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 420_000);
