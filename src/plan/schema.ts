/**
 * The rollout plan file format (apiVersion qlik-rollout/v1), as people write it in YAML or JSON.
 *
 * Two steps, so the JSON Schema for editors can be generated from the same source: `PlanFileSchema` checks the
 * shape of the file (no transforms, so `z.toJSONSchema` can represent it), then `toRolloutPlan` checks what
 * spans fields (unique names, waves covering every tenant once) and turns durations, sizes and wave patterns
 * into the `RolloutPlan` the workflows take.
 */
import { z } from 'zod';
import type { CloudAuth, QrsAuth, RolloutPlan, WaveSpec } from './types';

export const API_VERSION = 'qlik-rollout/v1';

/** Deployment names end up in QSEoW rule conditions, custom property values and workflow ids: keep them plain. */
export const DEPLOYMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ROLLOUT_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SECRET_REF_PATTERN = /^(env:[A-Za-z_{][A-Za-z0-9_{}.-]*|file:.+)$/;
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)$/i;
/** Patterns in waves: `*` any run of characters, `?` one character. */
const WAVE_PATTERN = /^[A-Za-z0-9._*?-]+$/;

const secretRef = (what: string) =>
  z
    .string()
    .regex(SECRET_REF_PATTERN, {
      // Never echo the value: it may be the secret itself.
      message: `${what} must be a reference, not the secret itself: write env:VAR_NAME (the worker reads the environment variable) or file:/path/to/file (the worker reads the file)`,
    })
    .meta({ description: `${what}: env:VAR_NAME or file:/path (a literal secret is rejected)` });

const duration = z
  .string()
  .regex(DURATION_PATTERN, { message: 'expected a duration like 500ms, 30s, 10m, 2h or 1d' })
  .meta({ description: 'Duration: a number with a unit, ms s m h d (e.g. 30s, 10m)' });

const size = z
  .union([z.number().int().positive(), z.string().regex(SIZE_PATTERN, { message: 'expected a size like 500MB or 5GB' })])
  .meta({ description: 'Size in bytes, or with a unit: B KB MB GB TB (1 KB = 1024 B)' });

const url = z.string().min(1).meta({ description: 'https URL (http only for loopback hosts, e.g. the simulator)' });

const QrsAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('certificate'),
    cert: secretRef('cert (client.pem)'),
    key: secretRef('key (client_key.pem)'),
    ca: secretRef('ca (root.pem)').optional(),
    passphrase: secretRef('passphrase').optional(),
  }).meta({ description: 'Direct to the Repository Service (port 4242) with certificates exported from the QMC' }),
  z.strictObject({
    type: z.literal('jwt'),
    token: secretRef('token'),
  }).meta({ description: 'Through a virtual proxy configured for JWT authentication, e.g. https://host/jwt' }),
]);

const CloudAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('apiKey'), key: secretRef('key') }),
  z.strictObject({ type: z.literal('oauth'), clientId: z.string().min(1), clientSecret: secretRef('clientSecret') }),
]);

const SourceSchema = z.strictObject({
  qrs: z.strictObject({
    url: url.meta({ description: 'QRS base URL without /qrs: https://host:4242 (certificate) or https://host/jwt (virtual proxy)' }),
    auth: QrsAuthSchema,
    user: z.strictObject({ directory: z.string().min(1), id: z.string().min(1) }).optional()
      .meta({ description: 'User the QRS calls run as (X-Qlik-User). Default INTERNAL\\sa_api' }),
    rejectUnauthorized: z.boolean().optional().meta({ description: 'Verify the QSEoW TLS certificate. Default true' }),
    connections: z.number().int().min(1).max(1024).optional()
      .meta({ description: 'Sockets each worker opens to the QSEoW site (QRS and deployments API each). Every tenant in flight calls this one site, so it caps the rollout rate: about connections / QRS latency calls per second. Default 32' }),
  }),
  deployments: z.strictObject({ url }).optional()
    .meta({ description: 'Base URL under which /api/hds/v1 answers. Default: source.qrs.url' }),
});

const TenantSchema = z.strictObject({
  name: z.string().meta({ description: 'Deployment name on QSEoW and custom property value: letters, digits, . _ -' }),
  url: url.meta({ description: 'Tenant base URL, e.g. https://acme.eu.qlikcloud.com' }),
  managedSpace: z.string().min(1).optional(),
  auth: CloudAuthSchema.optional(),
});

const WaveSchema = z.strictObject({
  name: z.string().min(1),
  tenants: z.array(z.string().regex(WAVE_PATTERN, { message: 'expected a tenant name or a pattern such as tenant-0* ("*" alone = every tenant no other wave lists)' })).min(1)
    .meta({ description: 'Tenant names or patterns (* and ?); "*" alone means every tenant not listed in another wave' }),
  concurrency: z.number().int().min(1).max(1000).optional(),
  soak: duration.optional().meta({ description: 'Wait after the wave before the next one, e.g. 10m' }),
  approval: z.boolean().optional().meta({ description: 'Wait for `qlik-rollout approve` before the next wave' }),
  failureBudget: z.number().int().min(0).optional(),
});

export const PlanFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    apiVersion: z.literal(API_VERSION),
    name: z.string().regex(ROLLOUT_NAME_PATTERN, { message: 'expected lowercase letters, digits and dashes (the rollout id), e.g. spring-2026' }),
    source: SourceSchema,
    apps: z.array(z.strictObject({ name: z.string().min(1), stream: z.string().min(1) })).min(1),
    policy: z.strictObject({
      name: z.string().min(1).optional().meta({ description: 'Distribution policy name. Default: "qlik-rollout <plan name>"' }),
      customProperty: z.string().min(1).default('Deployments'),
      stream: z.string().min(1).optional().meta({ description: 'Stream the policy requires. Default: the apps\' stream when they share one' }),
    }).optional(),
    limits: z.strictObject({ maxAppSize: size.default('5GB') }).optional(),
    tenantDefaults: z.strictObject({
      managedSpace: z.string().min(1).optional().meta({ description: '{name} is replaced by the tenant name, e.g. "{name} Analytics"' }),
      auth: CloudAuthSchema.optional().meta({ description: '{name} is replaced by the tenant name, e.g. file:/secrets/{name}.key' }),
    }).optional(),
    tenants: z.array(TenantSchema).min(1),
    waves: z.array(WaveSchema).min(1).optional().meta({ description: 'Default: one wave "all" with every tenant' }),
    concurrency: z.number().int().min(1).max(1000).default(5).meta({ description: 'Tenants at once per wave, unless the wave sets its own' }),
    failureBudget: z.strictObject({
      perWave: z.number().int().min(0).default(0),
      overall: z.number().int().min(0).default(0),
    }).optional(),
    sync: z.strictObject({
      enabled: z.boolean().default(true),
      pollInterval: duration.default('30s'),
    }).optional(),
  })
  .meta({ title: 'qlik-rollout plan', description: 'A rollout of QSEoW apps to Qlik Cloud tenants (apiVersion qlik-rollout/v1)' });

export type PlanFile = z.output<typeof PlanFileSchema>;

/** The JSON Schema editors use (published as schema/plan.schema.json). */
export function planJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/qlik-rollout/qlik-rollout/schema/plan.schema.json',
    ...z.toJSONSchema(PlanFileSchema, { io: 'input', target: 'draft-2020-12' }),
  };
}

/** One problem found in a plan, with the path in the file (e.g. ['tenants', 3, 'url']). */
export interface PlanIssue {
  path: (string | number)[];
  message: string;
}

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_BYTES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new Error(`Not a duration: ${text}`);
  return Math.round(Number(match[1]) * DURATION_MS[match[2]]);
}

export function parseSize(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = SIZE_PATTERN.exec(value);
  if (!match) throw new Error(`Not a size: ${value}`);
  return Math.round(Number(match[1]) * SIZE_BYTES[match[2].toUpperCase()]);
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A base URL without trailing slash, or an issue: https, or http on a loopback host (the simulator). */
function checkUrl(value: string, path: PlanIssue['path'], issues: PlanIssue[]): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    issues.push({ path, message: `"${value}" is not a URL; expected e.g. https://acme.eu.qlikcloud.com` });
    return value;
  }
  const httpAllowed = parsed.protocol === 'http:' && isLoopback(parsed.hostname);
  if (parsed.protocol !== 'https:' && !httpAllowed) {
    issues.push({ path, message: `"${value}" must use https (http is accepted only for loopback hosts such as the simulator)` });
  }
  if (parsed.search || parsed.hash || parsed.username) {
    issues.push({ path, message: `"${value}" must be a base URL without query, fragment or credentials` });
  }
  return value.replace(/\/+$/, '');
}

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/**
 * Expands the waves' names and patterns into tenant lists. Explicit names and patterns claim tenants first;
 * `*` alone takes every tenant left. Every tenant must land in exactly one wave.
 */
function expandWaves(file: PlanFile, issues: PlanIssue[]): WaveSpec[] {
  const tenantNames = file.tenants.map((t) => t.name);
  const waves = file.waves ?? [{ name: 'all', tenants: ['*'] }];
  const claimedBy = new Map<string, number>();
  const members: string[][] = waves.map(() => []);
  const restWaves: number[] = [];
  const claim = (tenant: string, waveIndex: number, entryIndex: number) => {
    const previous = claimedBy.get(tenant);
    if (previous === undefined) {
      claimedBy.set(tenant, waveIndex);
      members[waveIndex].push(tenant);
    } else if (previous !== waveIndex) {
      issues.push({
        path: ['waves', waveIndex, 'tenants', entryIndex],
        message: `tenant "${tenant}" is already in wave "${waves[previous].name}"; a tenant belongs to exactly one wave`,
      });
    }
  };
  waves.forEach((wave, waveIndex) => {
    wave.tenants.forEach((entry, entryIndex) => {
      if (entry === '*') {
        restWaves.push(waveIndex);
        return;
      }
      if (!/[*?]/.test(entry)) {
        if (tenantNames.includes(entry)) claim(entry, waveIndex, entryIndex);
        else issues.push({ path: ['waves', waveIndex, 'tenants', entryIndex], message: `unknown tenant "${entry}": it is not in tenants[]` });
        return;
      }
      const regexp = patternToRegExp(entry);
      const matched = tenantNames.filter((name) => regexp.test(name));
      if (matched.length === 0) {
        issues.push({ path: ['waves', waveIndex, 'tenants', entryIndex], message: `pattern "${entry}" matches no tenant` });
      }
      for (const name of matched) claim(name, waveIndex, entryIndex);
    });
  });
  if (restWaves.length > 1) {
    issues.push({ path: ['waves', restWaves[1], 'tenants'], message: `"*" (the rest) may appear in one wave only; it is already in wave "${waves[restWaves[0]].name}"` });
  }
  const rest = tenantNames.filter((name) => !claimedBy.has(name));
  if (restWaves.length > 0) {
    members[restWaves[0]].push(...rest);
  } else if (rest.length > 0) {
    const shown = rest.slice(0, 5).join(', ') + (rest.length > 5 ? ` and ${rest.length - 5} more` : '');
    issues.push({ path: ['waves'], message: `tenants in no wave: ${shown}; list them in a wave or add a wave with tenants: ["*"]` });
  }
  const order = new Map(tenantNames.map((name, index) => [name, index]));
  const perWaveBudget = file.failureBudget?.perWave ?? 0;
  return waves.map((wave, index) => {
    if (members[index].length === 0 && restWaves.includes(index)) {
      issues.push({ path: ['waves', index, 'tenants'], message: `wave "${wave.name}" gets no tenant: every tenant is already in another wave` });
    }
    return {
      name: wave.name,
      tenants: [...members[index]].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)),
      concurrency: wave.concurrency ?? file.concurrency,
      soakMs: wave.soak ? parseDuration(wave.soak) : 0,
      approval: wave.approval ?? false,
      failureBudget: wave.failureBudget ?? perWaveBudget,
    };
  });
}

function checkUnique(names: string[], path: (index: number) => PlanIssue['path'], what: string, issues: PlanIssue[]): void {
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const first = seen.get(name);
    if (first !== undefined) issues.push({ path: path(index), message: `duplicate ${what} "${name}" (first at index ${first}); ${what}s must be unique` });
    else seen.set(name, index);
  });
}

/** Cross-field checks and conversion of a shape-checked plan file. Returns the plan, or the issues found. */
export function toRolloutPlan(file: PlanFile): { plan?: RolloutPlan; issues: PlanIssue[] } {
  const issues: PlanIssue[] = [];
  file.tenants.forEach((tenant, index) => {
    if (!DEPLOYMENT_NAME_PATTERN.test(tenant.name)) {
      issues.push({ path: ['tenants', index, 'name'], message: `"${tenant.name}" is not a valid deployment name: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit` });
    }
    if (!tenant.auth && !file.tenantDefaults?.auth) {
      issues.push({ path: ['tenants', index, 'auth'], message: `tenant "${tenant.name}" has no auth and tenantDefaults.auth is not set; set one of them` });
    }
    if (!tenant.managedSpace && !file.tenantDefaults?.managedSpace) {
      issues.push({ path: ['tenants', index, 'managedSpace'], message: `tenant "${tenant.name}" has no managedSpace and tenantDefaults.managedSpace is not set; set one of them` });
    }
  });
  checkUnique(file.tenants.map((t) => t.name), (i) => ['tenants', i, 'name'], 'tenant name', issues);
  checkUnique(file.apps.map((a) => a.name), (i) => ['apps', i, 'name'], 'app name', issues);
  checkUnique((file.waves ?? []).map((w) => w.name), (i) => ['waves', i, 'name'], 'wave name', issues);
  const tenants = file.tenants.map((tenant, index) => ({ ...tenant, url: checkUrl(tenant.url, ['tenants', index, 'url'], issues) }));
  const qrsUrl = checkUrl(file.source.qrs.url, ['source', 'qrs', 'url'], issues);
  const deploymentsUrl = file.source.deployments
    ? checkUrl(file.source.deployments.url, ['source', 'deployments', 'url'], issues)
    : qrsUrl;

  const streams = [...new Set(file.apps.map((a) => a.stream))];
  const policyStream = file.policy?.stream ?? (streams.length === 1 ? streams[0] : undefined);
  if (!policyStream) {
    issues.push({ path: ['policy', 'stream'], message: `the apps are in several streams (${streams.join(', ')}); set policy.stream to the one the policy requires` });
  } else {
    file.apps.forEach((app, index) => {
      if (app.stream !== policyStream) {
        issues.push({ path: ['apps', index, 'stream'], message: `app "${app.name}" is in stream "${app.stream}" but the policy requires stream "${policyStream}"` });
      }
    });
  }
  const waves = expandWaves(file, issues);
  if (issues.length > 0) return { issues };

  const plan: RolloutPlan = {
    name: file.name,
    source: {
      qrsUrl,
      deploymentsUrl,
      auth: file.source.qrs.auth as QrsAuth,
      user: file.source.qrs.user ?? { directory: 'INTERNAL', id: 'sa_api' },
      rejectUnauthorized: file.source.qrs.rejectUnauthorized ?? true,
      ...(file.source.qrs.connections ? { connections: file.source.qrs.connections } : {}),
    },
    apps: file.apps,
    policy: {
      name: file.policy?.name ?? `qlik-rollout ${file.name}`,
      customProperty: file.policy?.customProperty ?? 'Deployments',
      stream: policyStream as string,
    },
    limits: { maxAppSizeBytes: parseSize(file.limits?.maxAppSize ?? '5GB') },
    tenantDefaults: {
      ...(file.tenantDefaults?.managedSpace ? { managedSpace: file.tenantDefaults.managedSpace } : {}),
      ...(file.tenantDefaults?.auth ? { auth: file.tenantDefaults.auth as CloudAuth } : {}),
    },
    tenants: tenants.map((t) => ({
      name: t.name,
      url: t.url,
      ...(t.managedSpace ? { managedSpace: t.managedSpace } : {}),
      ...(t.auth ? { auth: t.auth as CloudAuth } : {}),
    })),
    waves,
    failureBudget: file.failureBudget?.overall ?? 0,
    sync: {
      enabled: file.sync?.enabled ?? true,
      pollIntervalMs: parseDuration(file.sync?.pollInterval ?? '30s'),
    },
  };
  return { plan, issues };
}
