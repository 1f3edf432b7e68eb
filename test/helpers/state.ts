import os from 'node:os';
import path from 'node:path';

export interface TestRunState {
  address: string;
  namespace: string;
  version: string;
  pid: number;
  bundlePath: string;
  dir: string;
}

/**
 * Where global setup leaves the dev server's address for the test files: one per jest run (the run's main process
 * id), so concurrent jest runs in the same project dir do not read or delete each other's state. Global setup
 * exports the path in STATE_FILE_ENV; jest workers inherit it.
 */
export const STATE_FILE_ENV = 'QLIK_ROLLOUT_TEST_STATE';
export const STATE_FILE =
  process.env[STATE_FILE_ENV] ??
  path.join(os.tmpdir(), `qlik-rollout-jest-${Buffer.from(path.resolve(__dirname, '..', '..')).toString('hex').slice(-24)}-${process.pid}.json`);
