import fs from 'node:fs';
import type { DevServer } from '../../src/devserver/dev-server';
import { STATE_FILE, type TestRunState } from './state';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__temporalDevServer as DevServer | undefined;
  await server?.stop();
  if (fs.existsSync(STATE_FILE)) {
    const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as TestRunState;
    fs.rmSync(state.dir, { recursive: true, force: true });
    fs.rmSync(STATE_FILE, { force: true });
  }
}
