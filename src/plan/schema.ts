/**
 * The rollout plan file format (apiVersion qlik-rollout/v1), as people write it in YAML or JSON.
 *
 * Two steps, so the JSON Schema for editors can be generated from the same source: `PlanFileSchema` checks the
 * shape of the file (no transforms, so `z.toJSONSchema` can represent it), then `toRolloutPlan` checks what
 * spans fields (unique names, waves covering every tenant once) and turns durations, sizes and wave patterns
 * into the `RolloutPlan` the workflows take.
 */
import { z } from 'zod';
import { BOUNDS } from './bounds';
import { hasUrlCredentials, hasUnsafeChars, secretKind, show, showUrl } from './text';
import { DEFAULT_DISTRIBUTION, DEFAULT_RETRIES, MANAGED_SPACE_ROLES, type CloudAuth, type ManagedSpaceEntry, type QrsAuth, type RolloutPlan, type WaveSpec } from './types';

export const API_VERSION = 'qlik-rollout/v1';

/** Deployment names end up in QSEoW rule conditions, custom property values and workflow ids: keep them plain. */
export const DEPLOYMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ROLLOUT_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** env: names up to BOUNDS.envRefChars, file: paths up to BOUNDS.fileRefChars without control characters. */
const SECRET_REF_PATTERN = /^(env:[A-Za-z_{][A-Za-z0-9_{}.-]{0,255}|file:[^\u0000-\u001f\u007f-\u009f]{1,4096})$/;
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)$/i;
/** Patterns in waves: `*` any run of characters, `?` one character. */
const WAVE_PATTERN = /^[A-Za-z0-9._*?-]+$/;

/** What a refused secret field holds, said without showing it (it may be the secret itself). */
function secretRefMessage(what: string, input: unknown): string {
  const text = typeof input === 'string' ? input : '';
  const kind = secretKind(text) ?? (/^(env|file):/.test(text) ? 'a reference that is too long or holds control characters' : 'a literal value');
  return `${what} holds ${kind}, not a reference; the value is not shown. Write env:VAR_NAME (the worker reads the environment variable) or file:/path/to/file (the worker reads the file)`;
}

const secretRef = (what: string) =>
  z
    .string()
    // Never echo the value: it may be the secret itself.
    .regex(SECRET_REF_PATTERN, { error: (issue) => secretRefMessage(what, issue.input) })
    // A secret pasted after the prefix (file:-----BEGIN..., env:eyJ...) is still a secret.
    .refine((ref) => !secretKind(ref), { error: (issue) => secretRefMessage(what, issue.input) })
    .meta({ description: `${what}: env:VAR_NAME or file:/path (a literal secret is rejected)` });

/** A duration string within bounds; `what` names the field in the message. */
/** Retry budgets (plan section `retries`): at least a second (tests), at most a week (a phase waits for a person after). */
const RETRY_BOUNDS = {
  transientMs: { min: 1_000, max: 7 * 86_400_000, text: '1s to 7d' },
  rateLimitedMs: { min: 1_000, max: 7 * 86_400_000, text: '1s to 7d' },
};

const duration = (bounds: { min: number; max: number; text: string }, what: string) =>
  z
    .string()
    .regex(DURATION_PATTERN, { message: `expected a duration like 500ms, 30s, 10m, 2h or 1d (${what}: ${bounds.text})` })
    .refine((text) => !DURATION_PATTERN.test(text) || (parseDuration(text) >= bounds.min && parseDuration(text) <= bounds.max), {
      message: `${what} must be ${bounds.text}`,
    })
    .meta({ description: `Duration: a number with a unit, ms s m h d (e.g. 30s, 10m); ${bounds.text}` });

/** limits.maxAppSize: bytes or a size with a unit, within BOUNDS.maxAppSizeBytes. */
const appSize = z
  .union([
    z.number().int().min(BOUNDS.maxAppSizeBytes.min).max(BOUNDS.maxAppSizeBytes.max),
    z
      .string()
      .regex(SIZE_PATTERN, { message: `expected a size like 500MB or 5GB (${BOUNDS.maxAppSizeBytes.text})` })
      .refine((text) => !SIZE_PATTERN.test(text) || (parseSize(text) >= BOUNDS.maxAppSizeBytes.min && parseSize(text) <= BOUNDS.maxAppSizeBytes.max), {
        message: `limits.maxAppSize must be ${BOUNDS.maxAppSizeBytes.text}`,
      }),
  ])
  .meta({ description: `Size in bytes, or with a unit: B KB MB GB TB (1 KB = 1024 B); ${BOUNDS.maxAppSizeBytes.text}` });

/** A name people and Qlik read (app, stream, space, wave): no control or invisible characters, bounded length. */
const plainName = (max: number = BOUNDS.nameChars.max) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((text) => !hasUnsafeChars(text), { error: (issue) => `contains control or invisible characters (shown escaped): ${show(issue.input)}` });

const url = z.string().min(1).max(BOUNDS.urlChars.max).meta({ description: 'https URL (http only for loopback hosts, e.g. the simulator)' });

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

// The HDS answers only behind the proxy (the one public script calls https://host/jwt/api/hds/v1/... with a bearer
// JWT); the Repository port 4242 that takes certificates serves the QRS alone, and a client certificate is no proxy
// authentication. So the deployments API has a JWT of its own when the QRS uses certificates (audit F3).
const DeploymentsAuthSchema = z.strictObject({
  type: z.literal('jwt'),
  token: secretRef('token'),
}).meta({ description: 'JWT for the virtual proxy in source.deployments.url (sent as Authorization: Bearer). Required when source.qrs.auth is a certificate; default: the QRS JWT' });

const CloudAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('apiKey'), key: secretRef('key') }),
  z.strictObject({ type: z.literal('oauth'), clientId: z.string().min(1), clientSecret: secretRef('clientSecret') }),
]);

const SourceSchema = z.strictObject({
  qrs: z.strictObject({
    url: url.meta({ description: 'QRS base URL without /qrs: https://host:4242 (certificate) or https://host/jwt (virtual proxy)' }),
    auth: QrsAuthSchema,
    user: z.strictObject({ directory: z.string().min(1), id: z.string().min(1) }).optional()
      .meta({ description: 'User the QRS calls run as with certificates (X-Qlik-User, port 4242). Not sent through a JWT virtual proxy: there the JWT\'s user acts. Default INTERNAL\\sa_api' }),
    rejectUnauthorized: z.boolean().optional().meta({ description: 'Verify the QSEoW TLS certificate. Default true' }),
    connections: z.number().int().min(1).max(1024).optional()
      .meta({ description: 'Sockets each worker opens to the QSEoW site (QRS and deployments API each). Every tenant in flight calls this one site, so it caps the rollout rate: about connections / QRS latency calls per second. Default 32' }),
  }),
  deployments: z.strictObject({
    url: url.meta({ description: 'The JWT virtual proxy under which /api/hds/v1 answers, e.g. https://host/jwt (not port 4242)' }),
    auth: DeploymentsAuthSchema.optional(),
  }).optional()
    .meta({ description: 'The deployments API (Hybrid Deployment Service), reached through a JWT virtual proxy. Default: source.qrs.url with the QRS JWT; required (with auth) when source.qrs.auth is a certificate' }),
});

// The managed space: its name alone, or with who may open what is published there (issue "customers can open").
const SpaceMemberSchema = z.strictObject({
  group: plainName().optional().meta({ description: 'A group of the tenant, by exact name ({name} = the tenant name)' }),
  user: plainName().optional().meta({ description: 'A user of the tenant, by email (contains @) or exact name' }),
  roles: z
    .array(z.enum(MANAGED_SPACE_ROLES, { error: (issue) => `role ${JSON.stringify(issue.input)} cannot be given in a managed space; its assignable roles are ${MANAGED_SPACE_ROLES.join(', ')} (Qlik help: managed space roles)` }))
    .min(1)
    .meta({ description: 'Managed-space roles: consumer (Can view), basicconsumer (Has restricted view), contributor, operator, facilitator (Can manage), publisher, dataconsumer' }),
});

const ManagedSpaceSchema = z.union([
  plainName().meta({ description: 'Name of the managed space ({name} = the tenant name)' }),
  z.strictObject({
    name: plainName().optional().meta({ description: 'Name of the managed space ({name} = the tenant name). Default: tenantDefaults.managedSpace' }),
    members: z.array(SpaceMemberSchema).max(100).optional().meta({ description: 'Groups or users given roles in the space (created if missing, roles updated); others are left alone unless exactMembers' }),
    exactMembers: z.boolean().optional().meta({ description: 'Remove members the plan does not list (never the owner). Default false' }),
    noConsumers: z.enum(['warn', 'fail']).optional().meta({ description: 'When nobody but the owner can open apps in the space: warn (default) or fail the tenant' }),
    verifyAs: secretRef('verifyAs').optional().meta({ description: 'API key of a customer user of the tenant (env:NAME or file:/path, {name} filled): the end-user check opens each app as that user' }),
  }),
]);

const TenantSchema = z.strictObject({
  name: z.string().meta({ description: 'Deployment name on QSEoW and custom property value: letters, digits, . _ -' }),
  url: url.meta({ description: 'Tenant base URL, e.g. https://acme.eu.qlikcloud.com' }),
  managedSpace: ManagedSpaceSchema.optional(),
  auth: CloudAuthSchema.optional(),
});

const WaveSchema = z.strictObject({
  name: plainName(64),
  tenants: z.array(z.string().regex(WAVE_PATTERN, { message: 'expected a tenant name or a pattern such as tenant-0* ("*" alone = every tenant no other wave lists)' })).min(1).max(BOUNDS.tenants.max)
    .meta({ description: 'Tenant names or patterns (* and ?); "*" alone means every tenant not listed in another wave' }),
  concurrency: z.number().int().min(BOUNDS.concurrency.min).max(BOUNDS.concurrency.max).optional()
    .meta({ description: `Tenants at once in this wave; ${BOUNDS.concurrency.min} to ${BOUNDS.concurrency.max}` }),
  soak: duration(BOUNDS.soakMs, 'soak').optional().meta({ description: `Wait after the wave before the next one, e.g. 10m; ${BOUNDS.soakMs.text}` }),
  approval: z.boolean().optional().meta({ description: 'Wait for `qlik-rollout approve` before the next wave' }),
  failureBudget: z.number().int().min(BOUNDS.failureBudget.min).max(BOUNDS.failureBudget.max).optional()
    .meta({ description: `Failed tenants this wave tolerates; ${BOUNDS.failureBudget.min} to ${BOUNDS.failureBudget.max}` }),
});

export const PlanFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    apiVersion: z.literal(API_VERSION),
    name: z.string().regex(ROLLOUT_NAME_PATTERN, { message: 'expected lowercase letters, digits and dashes (the rollout id), e.g. spring-2026' }),
    source: SourceSchema,
    apps: z.array(z.strictObject({ name: plainName(), stream: plainName() })).min(BOUNDS.apps.min).max(BOUNDS.apps.max),
    policy: z.strictObject({
      name: z.string().min(1).optional().meta({ description: 'Distribution policy name. Default: "qlik-rollout <plan name>"' }),
      customProperty: z.string().min(1).default('Deployments'),
      stream: z.string().min(1).optional().meta({ description: 'Stream the policy requires. Default: the apps\' stream when they share one' }),
      category: z.string().min(1).optional().meta({ description: 'SystemRule category of a policy qlik-rollout creates (an existing policy of that name is adopted as it is). Default: Security (assumption A3). Not Sync: that is the load-balancing category' }),
      subcategory: z.string().min(1).optional().meta({ description: 'SystemRule subcategory of a policy qlik-rollout creates. Default: none' }),
      manageConditions: z.boolean().optional().meta({ description: 'Rewrite the policy\'s conditions when they differ from the plan\'s. Default: only on a policy qlik-rollout made; an adopted (QMC-made) policy that lacks resource.@<customProperty> = subject.name and the stream condition fails the tenant instead' }),
    }).optional(),
    limits: z.strictObject({ maxAppSize: appSize.default('5GB') }).optional(),
    tenantDefaults: z.strictObject({
      managedSpace: ManagedSpaceSchema.optional().meta({ description: '{name} is replaced by the tenant name, e.g. "{name} Analytics", or {name, members, exactMembers, noConsumers, verifyAs}' }),
      auth: CloudAuthSchema.optional().meta({ description: '{name} is replaced by the tenant name, e.g. file:/secrets/{name}.key' }),
    }).optional(),
    tenants: z.array(TenantSchema).min(BOUNDS.tenants.min).max(BOUNDS.tenants.max),
    waves: z.array(WaveSchema).min(BOUNDS.waves.min).max(BOUNDS.waves.max).optional().meta({ description: 'Default: one wave "all" with every tenant' }),
    concurrency: z.number().int().min(BOUNDS.concurrency.min).max(BOUNDS.concurrency.max).default(5)
      .meta({ description: `Tenants at once per wave, unless the wave sets its own; ${BOUNDS.concurrency.min} to ${BOUNDS.concurrency.max}` }),
    failureBudget: z.strictObject({
      perWave: z.number().int().min(BOUNDS.failureBudget.min).max(BOUNDS.failureBudget.max).default(0)
        .meta({ description: `Failed tenants a wave tolerates before the rollout halts; ${BOUNDS.failureBudget.min} to ${BOUNDS.failureBudget.max}` }),
      overall: z.number().int().min(BOUNDS.failureBudget.min).max(BOUNDS.failureBudget.max).default(0)
        .meta({ description: `Failed tenants the rollout tolerates before it halts; ${BOUNDS.failureBudget.min} to ${BOUNDS.failureBudget.max}` }),
    }).optional(),
    sync: z.strictObject({
      enabled: z.boolean().default(true),
      pollInterval: duration(BOUNDS.pollIntervalMs, 'sync.pollInterval').default('30s')
        .meta({ description: `How often the reload watcher polls QSEoW; ${BOUNDS.pollIntervalMs.text}` }),
    }).optional(),
    distribution: z.strictObject({
      resendAfter: duration(BOUNDS.resendAfterMs, 'distribution.resendAfter').optional().meta({ description: 'A copy still missing this long after a phase began waiting is re-sent (a change of the QSEoW app), and again every as long. Default 2m; 1s to 1d' }),
      resendWithReloadTask: z.boolean().optional().meta({ description: 'When re-sends bring nothing, also start the app\'s reload task (reloads data on QSEoW). Default false' }),
      reloadTimeTolerance: duration(BOUNDS.reloadTimeToleranceMs, 'distribution.reloadTimeTolerance').optional().meta({ description: 'A copy carries a reload when its lastReloadTime is at most this much earlier than QSEoW\'s (assumption A6). Default 5s; 0ms to 10m' }),
    }).optional(),
    retries: z.strictObject({
      transient: duration(RETRY_BOUNDS.transientMs, 'retries.transient').optional()
        .meta({ description: `How long a phase retries 5xx, timeouts, resets and an app not arrived yet (waits on 429s not counted) before it waits for a person. Default 30m; ${RETRY_BOUNDS.transientMs.text}` }),
      rateLimited: duration(RETRY_BOUNDS.rateLimitedMs, 'retries.rateLimited').optional()
        .meta({ description: `429s are waited out as Retry-After asks, never counted as failures, until a phase has run this long in all. Default 6h; ${RETRY_BOUNDS.rateLimitedMs.text}` }),
    }).optional().meta({ description: 'Retry budgets by time, per phase and class of error. Config errors (4xx) fail at once' }),
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
  /** The other entry of a collision (a duplicate name or URL): the loader shows its path and line too. */
  related?: (string | number)[];
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

/**
 * A base URL without trailing slash, or an issue: https, or http on a loopback host (the simulator). Messages show
 * the URL without credentials or query (showUrl): those are where secrets hide.
 */
function checkUrl(value: string, path: PlanIssue['path'], issues: PlanIssue[]): string {
  if (hasUrlCredentials(value)) {
    issues.push({ path, message: `${showUrl(value)} holds credentials (user:password@host, not shown): a plan holds no secrets. Remove them; credentials belong in auth as env:VAR_NAME or file:/path` });
    return value;
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    issues.push({ path, message: `${showUrl(value)} is not a URL; expected e.g. https://acme.eu.qlikcloud.com` });
    return value;
  }
  const httpAllowed = parsed.protocol === 'http:' && isLoopback(parsed.hostname);
  if (parsed.protocol !== 'https:' && !httpAllowed) {
    issues.push({ path, message: `${showUrl(value)} must use https (http is accepted only for loopback hosts such as the simulator)` });
  }
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    issues.push({ path, message: `${showUrl(value)} must be a base URL without query, fragment or credentials (not shown)` });
  }
  return value.replace(/\/+$/, '');
}

/**
 * What makes two tenant URLs the same tenant: scheme and host without regard to case (URL lower-cases them),
 * the default port dropped, dot segments resolved (URL does both), a trailing dot on the host and trailing
 * slashes ignored. Undefined for a URL that does not parse (checkUrl reports it).
 */
export function tenantUrlKey(value: string): string | undefined {
  try {
    const parsed = new URL(value);
    return `${parsed.protocol}//${parsed.hostname.replace(/\.$/, '')}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

/** Two tenants pointing at one tenant URL would deploy and publish twice into the same Qlik Cloud tenant. */
function checkTenantUrls(tenants: PlanFile['tenants'], issues: PlanIssue[]): void {
  const seen = new Map<string, number>();
  tenants.forEach((tenant, index) => {
    const key = tenantUrlKey(tenant.url);
    if (key === undefined) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else {
      issues.push({
        path: ['tenants', index, 'url'],
        related: ['tenants', first, 'url'],
        message: `tenant ${show(tenant.name)} has the same tenant URL as tenant ${show(tenants[first].name)} (${showUrl(key)}, compared without case, default port and trailing slash); each tenant needs its own Qlik Cloud tenant`,
      });
    }
  });
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
  const known = new Set(tenantNames);
  const byLowerCase = new Map(tenantNames.map((name) => [name.toLowerCase(), name]));
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
        message: `tenant ${show(tenant)} is already in wave ${show(waves[previous].name)}; a tenant belongs to exactly one wave`,
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
        if (known.has(entry)) claim(entry, waveIndex, entryIndex);
        else {
          // Wave entries match tenant names exactly (as Temporal ids do); say so when only the case differs.
          const other = byLowerCase.get(entry.toLowerCase());
          const hint = other === undefined ? '' : ` (tenant ${show(other)} differs only in case; wave entries match exactly)`;
          issues.push({ path: ['waves', waveIndex, 'tenants', entryIndex], message: `unknown tenant ${show(entry)}: it is not in tenants[]${hint}` });
        }
        return;
      }
      const regexp = patternToRegExp(entry);
      const matched = tenantNames.filter((name) => regexp.test(name));
      if (matched.length === 0) {
        issues.push({ path: ['waves', waveIndex, 'tenants', entryIndex], message: `pattern ${show(entry)} matches no tenant` });
      }
      for (const name of matched) claim(name, waveIndex, entryIndex);
    });
  });
  if (restWaves.length > 1) {
    issues.push({ path: ['waves', restWaves[1], 'tenants'], message: `"*" (the rest) may appear in one wave only; it is already in wave ${show(waves[restWaves[0]].name)}` });
  }
  const rest = tenantNames.filter((name) => !claimedBy.has(name));
  if (restWaves.length > 0) {
    members[restWaves[0]].push(...rest);
  } else if (rest.length > 0) {
    const shown = rest.slice(0, 5).map((name) => show(name)).join(', ') + (rest.length > 5 ? ` and ${rest.length - 5} more` : '');
    issues.push({ path: ['waves'], message: `tenants in no wave: ${shown}; list them in a wave or add a wave with tenants: ["*"]` });
  }
  const order = new Map(tenantNames.map((name, index) => [name, index]));
  const perWaveBudget = file.failureBudget?.perWave ?? 0;
  return waves.map((wave, index) => {
    if (members[index].length === 0 && restWaves.includes(index)) {
      issues.push({ path: ['waves', index, 'tenants'], message: `wave ${show(wave.name)} gets no tenant: every tenant is already in another wave` });
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

/**
 * Names must differ in more than case: Qlik compares deployment names, custom property values, subject.name and
 * app names without regard to case (QRS filters are case-insensitive), so "Acme" and "acme" would be one object.
 */
function checkUnique(names: string[], path: (index: number) => PlanIssue['path'], what: string, why: string, issues: PlanIssue[]): void {
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, index);
      return;
    }
    const message = names[first] === name
      ? `duplicate ${what} ${show(name)}; ${what}s must be unique`
      : `${what} ${show(name)} differs only in case from ${show(names[first])}; ${why}`;
    issues.push({ path: path(index), related: path(first), message });
  });
}

type ManagedSpaceFile = z.output<typeof ManagedSpaceSchema> | undefined;

function spaceName(entry: ManagedSpaceFile): string | undefined {
  return typeof entry === 'string' ? entry : entry?.name;
}

/** Each member names exactly one group or one user. */
function checkSpaceMembers(entry: ManagedSpaceFile, path: PlanIssue['path'], issues: PlanIssue[]): void {
  if (typeof entry !== 'object') return;
  entry.members?.forEach((member, index) => {
    if (Boolean(member.group) === Boolean(member.user)) {
      issues.push({ path: [...path, 'members', index], message: 'a member is either {group: <name>, roles: [...]} or {user: <email or name>, roles: [...]}, not both or neither' });
    }
  });
}

/** The plan file's managedSpace (a name, or an object) as the plan's name plus its access part. */
function splitManagedSpace(entry: ManagedSpaceFile): { managedSpace?: string; managedSpaceAccess?: ManagedSpaceEntry } {
  if (entry === undefined) return {};
  if (typeof entry === 'string') return { managedSpace: entry };
  const access: ManagedSpaceEntry = {
    ...(entry.members ? { members: entry.members.map((m) => (m.group ? { type: 'group' as const, name: m.group, roles: m.roles } : { type: 'user' as const, name: m.user ?? '', roles: m.roles })) } : {}),
    ...(entry.exactMembers !== undefined ? { exactMembers: entry.exactMembers } : {}),
    ...(entry.noConsumers ? { noConsumers: entry.noConsumers } : {}),
    ...(entry.verifyAs ? { verifyAs: entry.verifyAs } : {}),
  };
  return { ...(entry.name ? { managedSpace: entry.name } : {}), managedSpaceAccess: access };
}

/** Cross-field checks and conversion of a shape-checked plan file. Returns the plan, or the issues found. */
export function toRolloutPlan(file: PlanFile): { plan?: RolloutPlan; issues: PlanIssue[] } {
  const issues: PlanIssue[] = [];
  checkSpaceMembers(file.tenantDefaults?.managedSpace, ['tenantDefaults', 'managedSpace'], issues);
  file.tenants.forEach((tenant, index) => {
    if (!DEPLOYMENT_NAME_PATTERN.test(tenant.name)) {
      issues.push({ path: ['tenants', index, 'name'], message: `${show(tenant.name)} is not a valid deployment name: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit` });
    }
    if (!tenant.auth && !file.tenantDefaults?.auth) {
      issues.push({ path: ['tenants', index, 'auth'], message: `tenant ${show(tenant.name)} has no auth and tenantDefaults.auth is not set; set one of them` });
    }
    checkSpaceMembers(tenant.managedSpace, ['tenants', index, 'managedSpace'], issues);
    if (!spaceName(tenant.managedSpace) && !spaceName(file.tenantDefaults?.managedSpace)) {
      issues.push({ path: ['tenants', index, 'managedSpace'], message: `tenant ${show(tenant.name)} has no managedSpace and tenantDefaults.managedSpace is not set; set one of them` });
    }
  });
  checkUnique(file.tenants.map((t) => t.name), (i) => ['tenants', i, 'name'], 'tenant name',
    'Qlik compares deployment names, custom property values and subject.name without regard to case, so both would be one tenant', issues);
  checkUnique(file.apps.map((a) => a.name), (i) => ['apps', i, 'name'], 'app name', 'QRS finds apps by name without regard to case', issues);
  checkUnique((file.waves ?? []).map((w) => w.name), (i) => ['waves', i, 'name'], 'wave name',
    'wave names are compared without regard to case, so `approve --wave` could not tell them apart', issues);
  checkTenantUrls(file.tenants, issues);
  const tenants = file.tenants.map((tenant, index) => ({ ...tenant, url: checkUrl(tenant.url, ['tenants', index, 'url'], issues) }));
  const qrsUrl = checkUrl(file.source.qrs.url, ['source', 'qrs', 'url'], issues);
  const deploymentsUrl = file.source.deployments
    ? checkUrl(file.source.deployments.url, ['source', 'deployments', 'url'], issues)
    : qrsUrl;
  if (file.source.deployments && /^https?:\/\/[^/]+:4242(\/|$)/i.test(deploymentsUrl)) {
    issues.push({
      path: ['source', 'deployments', 'url'],
      message: 'the deployments API (HDS) does not answer on port 4242 (the Repository Service): set source.deployments.url to the JWT virtual proxy, e.g. https://qseow.example.com/jwt',
    });
  }
  if (file.source.qrs.auth.type === 'certificate' && !file.source.deployments?.auth) {
    // Certificates open only the Repository port; the HDS is behind the proxy, which wants a JWT (audit F3).
    issues.push({
      path: file.source.deployments ? ['source', 'deployments', 'auth'] : ['source', 'deployments'],
      message: 'source.qrs.auth is a certificate, which reaches only the Repository Service (port 4242); the deployments API (HDS) answers only through a JWT virtual proxy: set source.deployments.url (e.g. https://qseow.example.com/jwt) and source.deployments.auth: {type: jwt, token: env:QSEOW_JWT}',
    });
  }

  const streams = [...new Set(file.apps.map((a) => a.stream))];
  const policyStream = file.policy?.stream ?? (streams.length === 1 ? streams[0] : undefined);
  if (!policyStream) {
    issues.push({ path: ['policy', 'stream'], message: `the apps are in several streams (${streams.map((stream) => show(stream)).join(', ')}); set policy.stream to the one the policy requires` });
  } else {
    file.apps.forEach((app, index) => {
      if (app.stream !== policyStream) {
        issues.push({ path: ['apps', index, 'stream'], message: `app ${show(app.name)} is in stream ${show(app.stream)} but the policy requires stream ${show(policyStream)}` });
      }
    });
  }
  if (file.policy?.category?.trim().toLowerCase() === 'sync') {
    issues.push({
      path: ['policy', 'category'],
      message: '"Sync" is the QRS category of load-balancing rules (/qrs/systemrule/sync/audit is the "Load balancing rule audit"); the distribution service would not read the policy there. Leave policy.category out (default Security) or name the category your site\'s Cloud distribution policies use',
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
      ...(file.source.deployments?.auth ? { deploymentsAuth: file.source.deployments.auth } : {}),
      user: file.source.qrs.user ?? { directory: 'INTERNAL', id: 'sa_api' },
      rejectUnauthorized: file.source.qrs.rejectUnauthorized ?? true,
      ...(file.source.qrs.connections ? { connections: file.source.qrs.connections } : {}),
    },
    apps: file.apps,
    policy: {
      name: file.policy?.name ?? `qlik-rollout ${file.name}`,
      customProperty: file.policy?.customProperty ?? 'Deployments',
      stream: policyStream as string,
      ...(file.policy?.category ? { category: file.policy.category } : {}),
      ...(file.policy?.subcategory ? { subcategory: file.policy.subcategory } : {}),
      ...(file.policy?.manageConditions !== undefined ? { manageConditions: file.policy.manageConditions } : {}),
    },
    limits: { maxAppSizeBytes: parseSize(file.limits?.maxAppSize ?? '5GB') },
    tenantDefaults: {
      ...splitManagedSpace(file.tenantDefaults?.managedSpace),
      ...(file.tenantDefaults?.auth ? { auth: file.tenantDefaults.auth as CloudAuth } : {}),
    },
    tenants: tenants.map((t) => ({
      name: t.name,
      url: t.url,
      ...splitManagedSpace(t.managedSpace),
      ...(t.auth ? { auth: t.auth as CloudAuth } : {}),
    })),
    waves,
    failureBudget: file.failureBudget?.overall ?? 0,
    sync: {
      enabled: file.sync?.enabled ?? true,
      pollIntervalMs: parseDuration(file.sync?.pollInterval ?? '30s'),
    },
    distribution: {
      resendAfterMs: file.distribution?.resendAfter ? parseDuration(file.distribution.resendAfter) : DEFAULT_DISTRIBUTION.resendAfterMs,
      resendWithReloadTask: file.distribution?.resendWithReloadTask ?? DEFAULT_DISTRIBUTION.resendWithReloadTask,
      reloadTimeToleranceMs: file.distribution?.reloadTimeTolerance !== undefined ? parseDuration(file.distribution.reloadTimeTolerance) : DEFAULT_DISTRIBUTION.reloadTimeToleranceMs,
    },
    retries: {
      transientMs: file.retries?.transient ? parseDuration(file.retries.transient) : DEFAULT_RETRIES.transientMs,
      rateLimitedMs: file.retries?.rateLimited ? parseDuration(file.retries.rateLimited) : DEFAULT_RETRIES.rateLimitedMs,
    },
  };
  return { plan, issues };
}
