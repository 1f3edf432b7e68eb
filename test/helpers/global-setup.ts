import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../../src/devserver/dev-server';
import { STATE_FILE, STATE_FILE_ENV, type TestRunState } from './state';

/**
 * One real Temporal dev server per test run (never a mock), with the project's search attributes and a low
 * continue-as-new threshold so tests exercise it; plus the workflow bundle built once for every test file.
 */
export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qlik-rollout-test-'));
  const server = await startDevServer({
    headless: true,
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 400 },
    log: (line) => process.stdout.write(`\n${line}\n`),
  });
  process.stdout.write(`\nIntegration tests run against a real Temporal server: ${server.version} at ${server.address}\n`);
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  const state: TestRunState = { address: server.address, namespace: server.namespace, version: server.version, pid: server.pid, bundlePath, dir };
  fs.writeFileSync(STATE_FILE, JSON.stringify(state));
  process.env[STATE_FILE_ENV] = STATE_FILE;
  (globalThis as Record<string, unknown>).__temporalDevServer = server;
}
