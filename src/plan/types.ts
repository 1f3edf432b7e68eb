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

/** How the deployments API (HDS) is reached: only through a JWT virtual proxy, never with a client certificate. */
export type DeploymentsAuth = { type: 'jwt'; token: SecretRef };

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
  /** Plan `source.deployments.auth`; absent = the QRS JWT (required when `auth` is a certificate). */
  deploymentsAuth?: DeploymentsAuth;
  /** X-Qlik-User, sent only with certificates: through a JWT virtual proxy the JWT's user acts. */
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
  /** Who can open what is published in the managed space (plan managedSpace.members etc.). Absent: nobody is added. */
  spaceAccess?: SpaceAccessSpec;
}

/**
 * Roles a managed space can give (Qlik help "Managing permissions in managed spaces": Can manage, Can publish,
 * Can contribute, Can view, Has restricted view, Can consume data, Can operate; @qlik/api spaces RoleType names).
 * The tenant's own list (GET /spaces/{id} meta.assignableRoles) is checked again at run time.
 */
export const MANAGED_SPACE_ROLES = ['facilitator', 'publisher', 'contributor', 'consumer', 'basicconsumer', 'dataconsumer', 'operator'] as const;
export type ManagedSpaceRole = (typeof MANAGED_SPACE_ROLES)[number];
/** Managed-space roles that may open an app (Qlik help, managed space permissions: "Open an app"). */
export const APP_OPENING_ROLES: readonly string[] = ['facilitator', 'contributor', 'consumer', 'basicconsumer', 'operator'];

/** A member the plan wants in the managed space: a group or a user of the tenant, by name (users: name or email). */
export interface SpaceMemberSpec {
  type: 'group' | 'user';
  name: string;
  roles: ManagedSpaceRole[];
}

export interface SpaceAccessSpec {
  members: SpaceMemberSpec[];
  /** true: assignments not in `members` are removed (the owner has none). Default false: they are left alone. */
  exact: boolean;
  /** Nobody but the owner can open apps in the space: a warning in the result, or the tenant fails. */
  noConsumers: 'warn' | 'fail';
  /** API key of a customer user of the tenant (a reference, `{name}` filled): the end-user check opens the apps as that user. */
  verifyAs?: SecretRef;
}

/** The managed-space part of a tenant entry or of tenantDefaults, as the plan gives it (name and access). */
export interface ManagedSpaceEntry {
  name?: string;
  members?: SpaceMemberSpec[];
  exactMembers?: boolean;
  noConsumers?: 'warn' | 'fail';
  verifyAs?: SecretRef;
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
  /**
   * SystemRule category written when qlik-rollout creates the policy (never on an adopted one). Absent: 'Security'
   * (Assumption A3, DEFAULT_POLICY_CATEGORY in src/activities/policy-rule.ts). Never 'Sync' (load balancing).
   */
  category?: string;
  /** SystemRule subcategory written when qlik-rollout creates the policy. Absent: none. */
  subcategory?: string;
  /**
   * Whether qlik-rollout rewrites the policy's conditions (rule text) when they differ from the plan's.
   * Absent: yes for a policy qlik-rollout made (its comment marker), no for an adopted one (made in the QMC), which
   * then fails the tenant when it lacks the conditions the tool's values rely on.
   */
  manageConditions?: boolean;
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

/**
 * How the tool makes sure a distribution arrives (phases 5 and 6). Qlik documents what starts a distribution
 * (publish, reload, a change of a published app) but not that a failed one is tried again, so the tool re-sends.
 */
export interface DistributionSpec {
  /** A copy missing this long after the wait began is re-sent (a change of the app, assumption A10), and again every as long. */
  resendAfterMs: number;
  /** When re-sends by app change bring nothing, start the app's reload task (a documented trigger; it reloads data). */
  resendWithReloadTask: boolean;
  /** A copy carries a reload when its lastReloadTime is at most this much earlier than QSEoW's (assumption A6). */
  reloadTimeToleranceMs: number;
}

export const DEFAULT_DISTRIBUTION: DistributionSpec = {
  resendAfterMs: 2 * 60_000,
  resendWithReloadTask: false,
  reloadTimeToleranceMs: 5_000,
};

/**
 * How long a phase keeps retrying, by class of error (plan section `retries`). The budgets are time, not attempts:
 * Temporal retries a phase without an attempt limit and the activity ends the retries once a budget is spent.
 * Config errors (4xx, a plan or app a person must fix) fail at once, whatever the budgets.
 */
export interface RetrySpec {
  /** 5xx, timeouts, resets, an app not arrived yet: retried until the phase has spent this long on them (waits on 429s not counted). */
  transientMs: number;
  /** 429s are waited out (Retry-After), never counted as failures, until the phase has run this long in all. */
  rateLimitedMs: number;
}

/** Documented defaults: a Qlik Cloud outage of several minutes is ridden through; a rate limit is waited out all day. */
export const DEFAULT_RETRIES: RetrySpec = { transientMs: 30 * 60_000, rateLimitedMs: 6 * 3_600_000 };

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
  /** Members, exactness, verification identity of the managed space; fields left out come from tenantDefaults. */
  managedSpaceAccess?: ManagedSpaceEntry;
}

export interface TenantDefaults {
  /** e.g. "{name} Analytics" */
  managedSpace?: string;
  /** e.g. { type: 'apiKey', key: 'env:QLIK_API_KEY_{name}' } */
  auth?: CloudAuth;
  /** e.g. members: [{type: group, name: "{name} Customers", roles: [consumer]}] */
  managedSpaceAccess?: ManagedSpaceEntry;
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
  /** Absent in inputs of workflows started before it existed: DEFAULT_DISTRIBUTION. */
  distribution?: DistributionSpec;
  /** Retry budgets per class of error; absent (older inputs, plans without the section): DEFAULT_RETRIES. */
  retries?: RetrySpec;
}

/** What one phase activity needs: the tenant and the site it comes from. */
export interface PhaseContext {
  rolloutId: string;
  source: SourceSpec;
  tenant: TenantSpec;
  apps: AppSpec[];
  policy: PolicySpec;
  limits: LimitsSpec;
  /** Absent in inputs of workflows started before it existed: DEFAULT_DISTRIBUTION. */
  distribution?: DistributionSpec;
  /** Retry budgets per class of error; absent (older inputs, plans without the section): DEFAULT_RETRIES. */
  retries?: RetrySpec;
}
