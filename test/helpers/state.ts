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

/** Where global setup leaves the dev server's address for the test files (one per user and project dir). */
export const STATE_FILE = path.join(os.tmpdir(), `qlik-rollout-jest-${Buffer.from(path.resolve(__dirname, '..', '..')).toString('hex').slice(-24)}.json`);
