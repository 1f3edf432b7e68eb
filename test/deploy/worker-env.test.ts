/**
 * The worker's configuration from the environment: Temporal's conventions through @temporalio/envconfig, the
 * API key from a mounted secret file, and errors a person can act on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleIsStale, parseWorkerEnv, temporalConnectConfig } from '../../src/worker/main';

test('defaults suit the compose stack: metrics on 9464, SDK metrics internal, the project task queue', () => {
  expect(parseWorkerEnv({})).toMatchObject({
    QLIK_ROLLOUT_TASK_QUEUE: 'qlik-rollout', METRICS_BIND_ADDRESS: '0.0.0.0:9464', SDK_METRICS_BIND_ADDRESS: '127.0.0.1:9465',
    METRICS_VISIBILITY_INTERVAL_MS: 30_000, WORKER_SHUTDOWN_GRACE_MS: 30_000, LOG_LEVEL: 'info',
  });
  expect(parseWorkerEnv({ WORKER_MAX_CONCURRENT_ACTIVITIES: '200' }).WORKER_MAX_CONCURRENT_ACTIVITIES).toBe(200);
});

test('a bad setting names the variable and what is expected', () => {
  expect(() => parseWorkerEnv({ METRICS_BIND_ADDRESS: '9464', WORKER_MAX_CONCURRENT_ACTIVITIES: 'many' }))
    .toThrow(/Invalid worker configuration in the environment: METRICS_BIND_ADDRESS: host:port, e\.g\. 0\.0\.0\.0:9464; WORKER_MAX_CONCURRENT_ACTIVITIES: /);
});

test('Temporal Cloud: the API key comes from a secret file and turns TLS on; the address and namespace from the env', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-env-'));
  try {
    const keyFile = path.join(dir, 'temporal-api-key');
    fs.writeFileSync(keyFile, 'cloud-api-key-value\n');
    const env = { TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'my-ns.a1b2c', TEMPORAL_CONFIG_FILE: path.join(dir, 'none.toml') };
    const config = temporalConnectConfig(env, { TEMPORAL_API_KEY_FILE: keyFile });
    expect(config.namespace).toBe('my-ns.a1b2c');
    expect(config.connectionOptions).toMatchObject({ address: 'my-ns.a1b2c.tmprl.cloud:7233', apiKey: 'cloud-api-key-value', tls: true });
    // An explicit TEMPORAL_API_KEY wins over the file.
    expect(temporalConnectConfig({ ...env, TEMPORAL_API_KEY: 'from-env' }, { TEMPORAL_API_KEY_FILE: keyFile }).connectionOptions.apiKey).toBe('from-env');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing API key file says which variable and what to do', () => {
  expect(() => temporalConnectConfig({}, { TEMPORAL_API_KEY_FILE: '/run/secrets/nope' }))
    .toThrow('TEMPORAL_API_KEY_FILE=/run/secrets/nope cannot be read (ENOENT): mount the Temporal API key secret there or unset the variable');
});

test('a local cluster: no TLS, default namespace and address', () => {
  const config = temporalConnectConfig({ TEMPORAL_CONFIG_FILE: path.join(os.tmpdir(), 'no-such-temporal.toml') }, {});
  expect(config).toEqual({ namespace: 'default', connectionOptions: expect.objectContaining({ address: 'localhost:7233', tls: undefined }) });
});

test('a bundle older than the compiled workflows is stale (npm run build without build:bundle)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-bundle-'));
  try {
    const workflows = path.join(dir, 'workflows');
    fs.mkdirSync(workflows);
    const bundle = path.join(dir, 'workflow-bundle.js');
    fs.writeFileSync(path.join(workflows, 'index.js'), 'exports.a = 1;');
    fs.writeFileSync(bundle, '// bundle');
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(workflows, 'index.js'), past, past);
    expect(bundleIsStale(bundle, workflows)).toBe(false);
    fs.utimesSync(bundle, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect(bundleIsStale(bundle, workflows)).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
