/**
 * The deployment files refer to each other consistently: docker-compose.yml (services, dependencies, health
 * checks, volumes, networks, ports, environment), .env.example, the Dockerfile and package.json. There is no
 * Docker engine on CI, so this is what keeps `docker compose up` from failing on a typo.
 */
import { buildProgram } from '../../src/cli/main';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { DEFAULT_WORKFLOW_BUNDLE_PATH, parseWorkerEnv, WorkerEnvSchema } from '../../src/worker/main';
import {
  composeVariables, execForm, exists, interpolate, loadCompose, parseDockerfile, parseEnvFile, read, ROOT, sourceOfDistPath,
  type ComposeService,
} from './files';

const { raw, compose } = loadCompose();
const services = compose.services;
const names = Object.keys(services);
const envExample = parseEnvFile('.env.example');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
const dockerfile = parseDockerfile();

const env = (service: ComposeService, key: string) => {
  const value = service.environment?.[key];
  return value === undefined ? undefined : interpolate(String(value));
};
const hostPort = (mapping: string) => interpolate(mapping).split(':').slice(-2, -1)[0];
const containerPort = (mapping: string) => interpolate(mapping).split(':').pop()!;
const durationMs = (value: string) => {
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  if (!match) throw new Error(`unsupported duration ${value}`);
  return Number(match[1]) * ({ ms: 1, s: 1_000, m: 60_000 } as const)[match[2] as 'ms' | 's' | 'm'];
};
/** The host part of a bind mount ("./deploy/x:/deploy:ro"), or undefined for a named volume. */
const volumeParts = (volume: string) => interpolate(volume).split(':');
const bindSource = (volume: string) => {
  const source = volumeParts(volume)[0];
  return source.startsWith('.') || source.startsWith('/') ? source : undefined;
};
const isOneShot = (service: ComposeService) => !service.restart || /^(no|on-failure(:\d+)?)$/.test(service.restart);

describe('docker-compose.yml', () => {
  test('runs the Temporal recipe: Postgres, schema job, server, namespace job, search attributes, UI, workers', () => {
    expect(names).toEqual(expect.arrayContaining([
      'postgresql', 'temporal-admin-tools', 'temporal', 'temporal-create-namespace', 'temporal-search-attributes', 'temporal-ui', 'worker',
    ]));
    expect(services.postgresql.image).toMatch(/^postgres:\$\{POSTGRESQL_VERSION:-16\}$/);
    expect(env(services.temporal, 'DB')).toBe('postgres12');
    expect(services['temporal-admin-tools'].command).toContain('setup-postgres.sh');
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(services['temporal-ui'].ports?.map(containerPort)).toContain('8080');
  });

  test('every depends_on names a service, and its condition is one that service can meet', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = services[dependency];
        expect({ name, dependency, defined: Boolean(target) }).toEqual({ name, dependency, defined: true });
        if (condition === 'service_healthy') expect({ dependency, healthcheck: Boolean(target.healthcheck) }).toEqual({ dependency, healthcheck: true });
        else if (condition === 'service_completed_successfully') expect({ dependency, oneShot: isOneShot(target) }).toEqual({ dependency, oneShot: true });
        else expect(condition).toBe('service_started');
        // A service that starts by default must not wait on one that only a profile starts.
        if (!service.profiles?.length) expect({ name, dependency, profiles: target.profiles ?? [] }).toEqual({ name, dependency, profiles: [] });
      }
    }
  });

  test('the start order has no cycles, and the worker starts after Temporal, the namespace and the search attributes', () => {
    const order: string[] = [];
    const visiting = new Set<string>();
    const visit = (name: string) => {
      if (order.includes(name)) return;
      if (visiting.has(name)) throw new Error(`depends_on cycle through ${name}`);
      visiting.add(name);
      for (const dependency of Object.keys(services[name].depends_on ?? {})) visit(dependency);
      visiting.delete(name);
      order.push(name);
    };
    names.forEach(visit);
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before('postgresql', 'temporal-admin-tools');
    before('temporal-admin-tools', 'temporal');
    before('temporal', 'temporal-create-namespace');
    before('temporal-create-namespace', 'temporal-search-attributes');
    before('temporal-search-attributes', 'worker');
    expect(services.worker.depends_on?.temporal.condition).toBe('service_healthy');
  });

  test('long-running services have health checks; the worker probes the port its metrics server listens on', () => {
    for (const name of ['postgresql', 'temporal', 'worker']) expect({ name, healthcheck: Boolean(services[name].healthcheck) }).toEqual({ name, healthcheck: true });
    const metricsPort = env(services.worker, 'METRICS_BIND_ADDRESS')!.split(':').pop();
    expect(JSON.stringify(services.worker.healthcheck?.test)).toContain(`127.0.0.1:${metricsPort}/healthz`);
    expect(services.worker.expose).toContain(metricsPort);
    const prometheus = read('deploy/prometheus/prometheus.yml');
    expect(prometheus).toMatch(new RegExp(`names: \\[worker\\][\\s\\S]*?port: ${metricsPort}`));
    expect(prometheus).toContain(`temporal:${env(services.temporal, 'PROMETHEUS_ENDPOINT')!.split(':').pop()}`);
  });

  test('networks: every service is on a declared network or shares the namespace of a defined service', () => {
    const declared = Object.keys(compose.networks ?? {});
    for (const [name, service] of Object.entries(services)) {
      if (service.network_mode) {
        const shared = /^service:(.+)$/.exec(service.network_mode)?.[1];
        expect({ name, shares: shared && Boolean(services[shared]) }).toEqual({ name, shares: true });
        // Compose rejects ports/networks on a service that uses another's network namespace.
        expect({ name, ports: service.ports, networks: service.networks }).toEqual({ name, ports: undefined, networks: undefined });
        expect(Object.keys(service.depends_on ?? {})).toContain(shared);
      } else {
        expect({ name, networks: service.networks?.filter((n) => !declared.includes(n)) }).toEqual({ name, networks: [] });
      }
    }
  });

  test('volumes: named volumes are declared, bind mounts exist in the repository, mounted scripts exist', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = bindSource(volume);
        const [named] = volumeParts(volume);
        if (source === undefined) expect({ name, named, declared: declared.includes(named) }).toEqual({ name, named, declared: true });
        else if (source !== './secrets') expect({ name, source, exists: exists(source) }).toEqual({ name, source, exists: true });
      }
      // Commands like /deploy/setup-postgres.sh run from a bind mount: the script must be in the mounted folder.
      const command = [service.command ?? []].flat().join(' ');
      for (const [, mountPoint, script] of command.matchAll(/(\/deploy)\/(\S+\.sh)/g)) {
        const mount = (service.volumes ?? []).find((v) => volumeParts(v)[1] === mountPoint);
        expect({ name, script, mounted: Boolean(mount) && exists(`${bindSource(mount!)}/${script}`) }).toEqual({ name, script, mounted: true });
      }
    }
    const dynamicConfig = env(services.temporal, 'DYNAMIC_CONFIG_FILE_PATH')!;
    const configMount = services.temporal.volumes!.find((v) => v.includes('/etc/temporal/config/dynamicconfig'))!;
    expect(exists(`${bindSource(configMount)}/${dynamicConfig.split('/').pop()}`)).toBe(true);
  });

  test('ports: host ports are unique; replicated workers publish none and have no fixed container name', () => {
    const published = Object.values(services).flatMap((s) => (s.ports ?? []).map(hostPort));
    expect(new Set(published).size).toBe(published.length);
    for (const name of ['worker', 'worker-sim']) {
      expect(services[name].ports).toBeUndefined();
      expect(services[name].container_name).toBeUndefined();
    }
    expect(Number(interpolate(String(services.worker.deploy?.replicas)))).toBeGreaterThanOrEqual(2);
  });

  test('TEMPORAL_ADDRESS everywhere points at the temporal service and a port it listens on', () => {
    const temporalPorts = services.temporal.ports!.map(containerPort);
    const users = Object.entries(services).filter(([, s]) => s.environment?.TEMPORAL_ADDRESS !== undefined);
    expect(users.map(([n]) => n)).toEqual(expect.arrayContaining(['worker', 'temporal-ui', 'temporal-create-namespace', 'temporal-search-attributes']));
    for (const [name, service] of users) {
      const [host, port] = env(service, 'TEMPORAL_ADDRESS')!.split(':');
      expect({ name, host, listening: temporalPorts.includes(port) }).toEqual({ name, host: 'temporal', listening: true });
    }
    const namespaces = new Set(users.map(([, s]) => env(s, 'TEMPORAL_NAMESPACE')).filter(Boolean));
    expect(namespaces.size).toBe(1);
    expect(env(services['temporal-ui'], 'TEMPORAL_DEFAULT_NAMESPACE')).toBe([...namespaces][0]);
  });

  test('the search-attribute job registers exactly the attributes of src/shared/search-attributes.ts', () => {
    const registered = Object.fromEntries(env(services['temporal-search-attributes'], 'SEARCH_ATTRIBUTES')!.split(',').map((pair) => pair.split('=')));
    expect(registered).toEqual(SEARCH_ATTRIBUTES);
  });

  test('every ${VAR} has a default or is in .env.example, and .env.example lists nothing unused', () => {
    const variables = composeVariables(raw);
    expect(variables.length).toBeGreaterThan(10);
    const missing = variables.filter((v) => !v.hasDefault && !(v.name in envExample)).map((v) => v.name);
    expect(missing).toEqual([]);
    const used = new Set(variables.map((v) => v.name));
    expect(Object.keys(envExample).filter((name) => !used.has(name))).toEqual([]);
    // The defaults in the compose file and the values in .env.example agree, so either is the documentation.
    for (const match of raw.matchAll(/\$\{([A-Z_]+):-([^}]*)\}/g)) {
      if (match[1] in envExample) expect({ name: match[1], value: envExample[match[1]] }).toEqual({ name: match[1], value: match[2] });
    }
  });

  test('the worker environment is valid for the worker process and drains before compose kills it', () => {
    for (const name of ['worker', 'worker-sim']) {
      const service = services[name];
      const environment = Object.fromEntries(Object.keys(service.environment ?? {}).map((key) => [key, env(service, key)!]));
      const unknown = Object.keys(environment).filter((key) => !key.startsWith('TEMPORAL_') && !(key in WorkerEnvSchema.shape));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
      const settings = parseWorkerEnv(environment);
      expect(durationMs(service.stop_grace_period!)).toBeGreaterThan(settings.WORKER_SHUTDOWN_GRACE_MS);
    }
    expect(services.worker.build?.dockerfile).toBe('Dockerfile');
    expect(services['worker-sim'].image).toBe(services.worker.image);
  });

  test('every worker setting is documented in docs/production.md', () => {
    const docs = read('docs/production.md');
    const undocumented = Object.keys(WorkerEnvSchema.shape).filter((key) => !docs.includes(`\`${key}\``));
    expect(undocumented).toEqual([]);
  });

  test("the simulator profile runs the CLI's simulator command with options it declares", () => {
    const command = execForm(JSON.stringify(services.simulator.command)).map((word) => interpolate(word));
    expect(command.slice(0, 3)).toEqual(['node', 'dist/cli/main.js', 'simulator']);
    expect(exists(sourceOfDistPath(command[1]))).toBe(true);
    const program = buildProgram({ stdout: { write: () => true }, stderr: { write: () => true }, env: {} }, () => undefined);
    const simulator = program.commands.find((c) => c.name() === 'simulator')!;
    const declared = simulator.options.map((o) => o.long);
    expect(command.filter((word) => word.startsWith('--')).filter((flag) => !declared.includes(flag))).toEqual([]);
    expect(services.simulator.profiles).toEqual(['sim']);
  });
});

describe('Dockerfile', () => {
  const runs = dockerfile.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  const finalStage = dockerfile[dockerfile.length - 1].stage;

  test('is multi-stage: builds with dev dependencies, prunes them, runs as a non-root user', () => {
    const stages = new Set(dockerfile.map((i) => i.stage));
    expect(stages.size).toBeGreaterThanOrEqual(2);
    expect(runs.some((r) => /npm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /npm prune --omit=dev/.test(r))).toBe(true);
    const user = dockerfile.filter((i) => i.stage === finalStage && i.keyword === 'USER').map((i) => i.args);
    expect(user.length).toBe(1);
    expect(user[0]).not.toMatch(/^(root|0)$/);
    expect(dockerfile.filter((i) => i.stage === finalStage && i.keyword === 'RUN' && /npm ci|npm install/.test(i.args))).toEqual([]);
  });

  test('every `npm run X` is a package.json script, and the workflow bundle is built at build time', () => {
    const scripts = runs.flatMap((r) => [...r.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]));
    expect(scripts).toEqual(expect.arrayContaining(['build', 'build:bundle']));
    for (const script of scripts) expect({ script, defined: script in packageJson.scripts }).toEqual({ script, defined: true });
    const bundleScript = /node (\S+)/.exec(packageJson.scripts['build:bundle'])![1];
    expect(exists(bundleScript)).toBe(true);
    // The bundle script writes where the worker looks for it (dist/workflow-bundle.js).
    expect(read(bundleScript)).toContain(`'dist', '${DEFAULT_WORKFLOW_BUNDLE_PATH.split('/').pop()}'`);
    expect(DEFAULT_WORKFLOW_BUNDLE_PATH.startsWith(`${ROOT}/src/`) || DEFAULT_WORKFLOW_BUNDLE_PATH.startsWith(`${ROOT}/dist/`)).toBe(true);
  });

  test("CMD runs the worker entry, whose source exists and is part of the build", () => {
    const cmd = execForm(dockerfile.filter((i) => i.keyword === 'CMD').pop()!.args);
    expect(cmd[0]).toBe('node');
    const source = sourceOfDistPath(cmd[1]);
    expect(source).toBe('src/worker/main.ts');
    expect(exists(source)).toBe(true);
    expect(read(source)).toContain('require.main === module');
    const buildConfig = JSON.parse(read('tsconfig.build.json')) as { include: string[]; compilerOptions: { rootDir: string; outDir: string } };
    expect(buildConfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(buildConfig.include).toContain('src/**/*.ts');
  });

  test('COPY sources exist and are not excluded by .dockerignore; EXPOSE matches the metrics port', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    const copies = dockerfile.filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const words = copy.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      for (const source of words.slice(0, -1)) {
        expect({ source, exists: exists(source), ignored: ignored.includes(source) }).toEqual({ source, exists: true, ignored: false });
      }
    }
    const exposed = dockerfile.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args);
    expect(exposed).toContain(env(services.worker, 'METRICS_BIND_ADDRESS')!.split(':').pop());
  });
});
