import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, Worker, type WorkerOptions } from '@temporalio/worker';
import { STATE_FILE, type TestRunState } from './state';
import { dataConverter } from '../../src/shared/payload-codec';
import { connectTemporalClient } from '../../src/shared/temporal-connection';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by another helper in this test file.
  }
}

export function testRunState(): TestRunState {
  return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as TestRunState;
}

export interface TestTemporal {
  state: TestRunState;
  connection: Connection;
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/** Connects to the run's real dev server (started by global setup). */
export async function connectTestTemporal(): Promise<TestTemporal> {
  quietRuntime();
  const state = testRunState();
  const connection = await connectTemporalClient({ address: state.address });
  const client = new Client({ connection, namespace: state.namespace, dataConverter });
  const nativeConnection = await NativeConnection.connect({ address: state.address });
  return {
    state,
    connection,
    client,
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

let counter = 0;
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

/** A worker on the prebuilt workflow bundle; options override the defaults. */
export async function createTestWorker(t: TestTemporal, options: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath'>): Promise<Worker> {
  return Worker.create({
    connection: t.nativeConnection,
    namespace: t.state.namespace,
    workflowBundle: { codePath: t.state.bundlePath },
    ...options,
  });
}
