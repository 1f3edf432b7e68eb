/**
 * Public contract of the Qlik simulator (implemented in src/simulator/*). Tests, the demo and the benchmark
 * start it with startSimulator() from src/simulator/index.ts.
 */

export interface FaultRule {
  /** Which host the rule applies to: 'qrs' (QSEoW: QRS and deployment API), a tenant name, or '*' for all. */
  host: string;
  /** Optional method + path prefix filter, e.g. 'GET /api/v1/items' or 'PUT /qrs/app'. Default: every route. */
  route?: string;
  /** Added latency per request in ms: uniform in [min, max]. */
  latencyMs?: { min: number; max: number };
  /** Probability (0..1) of answering 503 with a Qlik error body. */
  errorRate?: number;
  /** Probability (0..1) that a request starts a 429 burst: this and the next `burstLength` requests get 429. */
  rateLimitBurstRate?: number;
  burstLength?: number;
  /** Retry-After seconds sent with injected 429s. */
  retryAfterSeconds?: number;
  /** Probability (0..1) of destroying the socket without an answer (ECONNRESET at the client). */
  resetRate?: number;
  /**
   * Probability (0..1) that a write (any method but GET/HEAD) is APPLIED and its answer then lost: the socket is
   * destroyed after the handler ran, or a 503 replaces its answer. The case where a blind retry duplicates objects.
   */
  lostResponseRate?: number;
  /** How a lost answer is lost: 'reset' (socket destroyed), '503', or 'either' (seeded dice; default). */
  lostResponseAs?: 'reset' | '503' | 'either';
}

export interface TenantDownWindow {
  tenant: string;
  /** Milliseconds from now; the tenant answers 503 (and distribution to it fails) until then. */
  forMs: number;
}

export interface SimulatorOptions {
  /** Number of Qlik Cloud tenants: tenant-001 ... tenant-NNN (width grows with N). */
  tenants: number;
  /** Seeds ids, API keys and the fault dice: the same seed reproduces the same run of faults. */
  seed?: number;
  /** Port shared by every simulated host; 0 or absent = a free port. */
  port?: number;
  /** Delay between a publish/reload on QSEoW and the app arriving in a tenant (ms). Default 200. */
  distributionDelayMs?: number;
  /** Qlik Cloud rate limits (tier 1 reads 1,000/min, tier 2 writes 100/min). Default true. */
  rateLimits?: boolean;
  faults?: FaultRule[];
  /** Where API keys and the QRS JWT are written, one file each, for `file:` secret references. */
  secretsDir?: string;
  /** Tenants whose edition lacks managed spaces (creating one answers 403). */
  tenantsWithoutManagedSpaces?: string[];
  /** How the simulator answers where Qlik documents nothing (src/simulator/variants.ts); defaults per key. */
  variants?: Partial<Record<string, string>>;
  /**
   * Also serve the QRS on a Repository port (QSEoW's 4242): HTTPS demanding a client certificate signed by the
   * site's root CA, X-Qlik-User, no JWT, no HDS. Certificates are made with openssl at start. Default false.
   */
  repositoryPort?: boolean;
}

export interface PlantedCloudApp {
  name: string;
  /** `attributes.published` ("distributed from client-managed"). */
  distributed: boolean;
  spaceId?: string | null;
  /** Set for apps published inside Qlik Cloud. */
  originAppId?: string;
  lastReloadTime?: string;
}

export interface SimTenantInfo {
  name: string;
  /** Base URL of the tenant: its own loopback host, e.g. http://127.1.0.7:40123 */
  url: string;
  tenantId: string;
  /** `file:` reference to the tenant's API key. */
  apiKeyRef: string;
  /**
   * `file:` references to the API keys of the tenant's simulated customer users (cloud/directory.ts): `customer`
   * (in group "Customers") and `outsider` (in no group). They read only (GET), and see what their space roles open.
   */
  userKeyRefs?: Record<string, string>;
}

export interface SimSiteState {
  policies: Array<{ id: string; name: string; rule: string; resourceFilter: string; actions: number; disabled: boolean }>;
  customProperties: Array<{ id: string; name: string; choiceValues: string[] }>;
  apps: Array<{
    id: string;
    name: string;
    stream: string | null;
    published: boolean;
    fileSize: number;
    lastReloadTime: string;
    lastDataDistribution: string;
    customProperties: Record<string, string[]>;
  }>;
  deployments: Array<{ id: string; name: string; serviceUrl: string }>;
  /** Every distribution attempt, in order. */
  distributions: Array<{ appId: string; appName: string; deployment: string; status: 'succeeded' | 'failed'; at: string; cloudAppId?: string; message?: string }>;
}

export interface SimTenantState {
  tenantId: string;
  url: string;
  idps: Array<{ id: string; protocol: string; provider: string; active: boolean; interactive: boolean; holdsCurrentToken: boolean }>;
  spaces: Array<{ id: string; name: string; type: string }>;
  apps: Array<{ id: string; name: string; sourceAppId: string; spaceId: string | null; ownerId: string | null; lastReloadTime: string; distributions: number }>;
}

export interface SimState {
  site: SimSiteState;
  tenants: Record<string, SimTenantState>;
}

export interface SimRequestLogEntry {
  /** When the request arrived (epoch ms), before its body was read. */
  receivedAt: number;
  /** When it was answered (or the connection reset). */
  at: number;
  host: string;
  method: string;
  path: string;
  status: number;
  /** The write was applied and its answer lost on purpose (FaultRule.lostResponseRate): how. */
  lost?: 'reset' | '503';
}

export interface Simulator {
  /** QRS base (no /qrs suffix): the JWT virtual proxy, e.g. http://127.0.0.1:40123/jwt */
  qrsUrl: string;
  /** Base URL under which /api/hds/v1 answers (same virtual proxy). */
  deploymentsUrl: string;
  /** `file:` reference to the JWT the QRS virtual proxy accepts. */
  qrsTokenRef: string;
  /** With `repositoryPort`: the QRS base on the Repository port (https://127.0.0.1:PORT, no prefix), else ''. */
  repositoryUrl: string;
  /** With `repositoryPort`: `file:` references to client.pem, client_key.pem and root.pem for that port. */
  qrsCertificateRefs?: { cert: string; key: string; ca: string };
  /** Proxy sessions the JWT virtual proxy has opened (variant session-cookie=yes; Assumption A13). */
  sessionsCreated(): number;
  /** Ends every proxy session: their cookies answer 401 from now on (as after a session timeout). */
  endProxySessions(): void;
  /** Admin routes (state dump, faults, reload): http://127.0.0.1:PORT/__sim */
  adminUrl: string;
  port: number;
  tenants: SimTenantInfo[];
  /** Seeded QSEoW content: apps published to stream 'Customers' and custom property 'Deployments'. */
  seededApps: { name: string; stream: string; published: boolean; fileSize: number }[];
  dump(): SimState;
  /** Reloads an app on QSEoW (like a reload task): new lastReloadTime, then redistribution per policy. */
  reloadApp(appName: string): Promise<{ appId: string; lastReloadTime: string }>;
  setFaults(rules: FaultRule[]): void;
  setTenantDown(window: TenantDownWindow): void;
  /**
   * Puts an app into a tenant the way someone other than this site's distribution would: another QSEoW site
   * distributing an app of the same name (distributed: true), or an app made in the cloud. Returns its id.
   */
  plantCloudApp(tenant: string, app: PlantedCloudApp): string;
  /** Every request answered, in order (for Retry-After and fault assertions). Cleared by clearRequestLog(). */
  requestLog(): SimRequestLogEntry[];
  clearRequestLog(): void;
  stop(): Promise<void>;
}
