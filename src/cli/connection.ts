/**
 * Connection to Temporal by Temporal's own conventions, so the CLI works with whatever the `temporal` CLI
 * works with: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_* and TEMPORAL_PROFILE /
 * the profile file (~/.config/temporalio/temporal.toml), read by @temporalio/envconfig.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { TASK_QUEUE } from '../workflows/messages';
import { CliError } from './io';
import { dataConverter } from '../shared/payload-codec';
import { connectTemporalClient } from '../shared/temporal-connection';

export interface ConnectionSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Base URL of the Temporal Web UI, for links a person can click. */
  uiUrl?: string;
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The Web UI next to a server: TEMPORAL_UI_URL if set, Temporal Cloud's console, or a dev server's port + 1000. */
function defaultUiUrl(address: string, env: Record<string, string | undefined>): string | undefined {
  if (env.TEMPORAL_UI_URL) return env.TEMPORAL_UI_URL.replace(/\/+$/, '');
  if (/\.tmprl\.cloud(:\d+)?$/.test(address)) return 'https://cloud.temporal.io';
  const match = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]):(\d+)$/.exec(address);
  return match ? `http://${match[1]}:${Number(match[2]) + 1000}` : undefined;
}

export function connectionSettings(env: Record<string, string | undefined>, profile?: string): ConnectionSettings {
  const config = loadClientConnectConfig({ profile: profile ?? env.TEMPORAL_PROFILE, overrideEnvVars: definedOnly(env) });
  const address = config.connectionOptions.address ?? 'localhost:7233';
  return {
    address,
    namespace: config.namespace ?? 'default',
    taskQueue: env.QLIK_ROLLOUT_TASK_QUEUE ?? TASK_QUEUE,
    uiUrl: defaultUiUrl(address, env),
    connectionOptions: { ...config.connectionOptions, address },
  };
}

export function workflowUiUrl(settings: Pick<ConnectionSettings, 'uiUrl' | 'namespace'>, workflowId: string): string | undefined {
  return settings.uiUrl && `${settings.uiUrl}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export interface TemporalSession {
  settings: ConnectionSettings;
  client: Client;
  close(): Promise<void>;
}

export async function connectTemporal(settings: ConnectionSettings): Promise<TemporalSession> {
  const { address, tls, apiKey, metadata } = settings.connectionOptions;
  let connection: Connection;
  try {
    connection = await connectTemporalClient({ address, tls, apiKey, metadata, connectTimeout: '5s' });
  } catch (err) {
    throw new CliError(
      `Cannot reach Temporal at ${address} (namespace ${settings.namespace}): ${(err as Error).message}. ` +
        `Start one with \`temporal server start-dev\` or point TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY) at yours.`,
    );
  }
  const client = new Client({ connection, namespace: settings.namespace, dataConverter });
  return { settings, client, close: () => connection.close() };
}
