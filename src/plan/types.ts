/**
 * Plan types shared by the plan schema (zod, src/plan/schema.ts), the workflows and the activities.
 * Plain types only: workflow code imports this file, so it must stay free of runtime dependencies.
 *
 * A secret is never a value in a plan, only a reference that activities resolve on the worker:
 * `env:VAR_NAME` or `file:/path/to/file`.
 */
export type SecretRef = string;

export type QrsAuth =
  /** Direct to the Repository Service (port 4242) with the certificates exported from the QMC. */
  | { type: 'certificate'; cert: SecretRef; key: SecretRef; ca?: SecretRef; passphrase?: SecretRef }
  /** Through a virtual proxy configured for JWT authentication, e.g. https://host/jwt. */
  | { type: 'jwt'; token: SecretRef };

export interface QrsUser {
  directory: string;
  id: string;
}

export interface SourceSpec {
  /** QRS base URL without the /qrs suffix, e.g. https://qseow.example.com:4242 or https://qseow.example.com/jwt */
  qrsUrl: string;
  /** Base URL under which /api/hds/v1 answers (a virtual proxy). Defaults to qrsUrl. */
  deploymentsUrl: string;
  auth: QrsAuth;
  user: QrsUser;
  /** TLS verification of the QSEoW server certificate; on unless the plan turns it off. */
  rejectUnauthorized: boolean;
  /** Sockets per worker to the site (plan `source.qrs.connections`); absent = QSEOW_CONNECTIONS. */
  connections?: number;
}

export type CloudAuth =
  | { type: 'apiKey'; key: SecretRef }
  | { type: 'oauth'; clientId: string; clientSecret: SecretRef };

export interface TenantSpec {
  /** Natural key of everything made for the tenant: the deployment name, the custom property value, `subject.name`. */
  name: string;
  /** Tenant base URL, e.g. https://acme.eu.qlikcloud.com */
  url: string;
  /** Managed space the distributed apps are put in. */
  managedSpace: string;
  auth: CloudAuth;
}

export interface AppSpec {
  name: string;
  stream: string;
}

export interface PolicySpec {
  /** Name of the distribution policy (rule) on QSEoW. */
  name: string;
  /** Custom property whose choice values are the deployment names (the standard OEM pattern). */
  customProperty: string;
  /** Stream the policy requires; apps must be published there. */
  stream: string;
}

export interface LimitsSpec {
  /** The largest app file that may be distributed (Qlik Cloud's default in-memory limit is 5 GB). */
  maxAppSizeBytes: number;
}

export interface WaveSpec {
  name: string;
  /** Tenant names in this wave (already expanded from the plan's patterns). */
  tenants: string[];
  /** How many tenants of this wave run at once. */
  concurrency: number;
  /** Soak time after the wave, in milliseconds (0 = none). */
  soakMs: number;
  /** Wait for a person's `approve` before the next wave. */
  approval: boolean;
  /** Failed tenants tolerated in this wave before the rollout halts. */
  failureBudget: number;
}

export interface SyncSpec {
  enabled: boolean;
  /** How often the reload watcher polls QSEoW for finished reloads, in milliseconds. */
  pollIntervalMs: number;
}

/**
 * A tenant as the plan lists it. Fields left out come from the plan's tenantDefaults, where `{name}` stands for
 * the tenant name; this keeps a 10,000-tenant plan well under Temporal's payload limits.
 */
export interface TenantEntry {
  name: string;
  url: string;
  managedSpace?: string;
  auth?: CloudAuth;
}

export interface TenantDefaults {
  /** e.g. "{name} Analytics" */
  managedSpace?: string;
  /** e.g. { type: 'apiKey', key: 'env:QLIK_API_KEY_{name}' } */
  auth?: CloudAuth;
}

/** A validated plan: what the rollout workflow takes as input. Contains no secret values. */
export interface RolloutPlan {
  name: string;
  source: SourceSpec;
  apps: AppSpec[];
  policy: PolicySpec;
  limits: LimitsSpec;
  tenantDefaults: TenantDefaults;
  /** Use resolveTenant() (src/plan/tenant.ts) to get a TenantSpec. */
  tenants: TenantEntry[];
  waves: WaveSpec[];
  /** Failed tenants tolerated over the whole rollout before it halts. */
  failureBudget: number;
  sync: SyncSpec;
}

/** What one phase activity needs: the tenant and the site it comes from. */
export interface PhaseContext {
  rolloutId: string;
  source: SourceSpec;
  tenant: TenantSpec;
  apps: AppSpec[];
  policy: PolicySpec;
  limits: LimitsSpec;
}
