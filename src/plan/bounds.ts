/**
 * Bounds for every number, duration and size in a plan, and for the plan file itself. One table, so the schema
 * (src/plan/schema.ts), the loader (src/plan/load.ts), the JSON Schema descriptions and the README agree.
 * Why each bound: a value outside it is a typo or a misunderstanding (a zero poll interval hammers QSEoW, a soak
 * of centuries never ends, a zero size limit refuses every app), never a real need.
 */
export const BOUNDS = {
  /** Tenants in a plan: the bench runs 60,000; Temporal's payload limit is the real ceiling (tenantDefaults keep entries small). */
  tenants: { min: 1, max: 100_000 },
  /** Apps distributed by one policy. */
  apps: { min: 1, max: 100 },
  /** Waves run one after the other. */
  waves: { min: 1, max: 100 },
  /** Tenants at once per wave (plan or wave `concurrency`). */
  concurrency: { min: 1, max: 1_000 },
  /** Failed tenants tolerated (per wave, overall): 0 halts on the first failure; never more than the tenants. */
  failureBudget: { min: 0, max: 100_000 },
  /** Soak after a wave: 0s (none) to 14 days. */
  soakMs: { min: 0, max: 14 * 86_400_000, text: '0s to 14d' },
  /** How often the reload watcher polls QSEoW: at least 1s (QRS load), at most 1h (a sync that lags a reload by hours is no sync). */
  pollIntervalMs: { min: 1_000, max: 3_600_000, text: '1s to 1h' },
  /** distribution.resendAfter: re-send a missing copy after 1s to 1d. */
  resendAfterMs: { min: 1_000, max: 86_400_000, text: '1s to 1d' },
  /** distribution.reloadTimeTolerance: 0ms to 10m (assumption A6). */
  reloadTimeToleranceMs: { min: 0, max: 600_000, text: '0ms to 10m' },
  /** limits.maxAppSize: 1 MB to 100 GB (Qlik Cloud: 5 GB default, 10 GB with Expanded Apps, more on dedicated capacity). */
  maxAppSizeBytes: { min: 1024 ** 2, max: 100 * 1024 ** 3, text: '1MB to 100GB' },
  /** Names (apps, streams, spaces, waves, policy): characters. */
  nameChars: { max: 256 },
  /** URLs: characters. */
  urlChars: { max: 2_048 },
  /** Secret references: env:NAME up to 256 characters, file:PATH up to 4,096 (PATH_MAX). */
  envRefChars: { max: 256 },
  fileRefChars: { max: 4_096 },
} as const;

/**
 * Limits of the plan FILE, checked before and while YAML parses it: the parser is not built for hostile input
 * (deep nesting overflows its stack, alias chains expand exponentially, error-heavy input is slow), and a plan
 * needs none of that.
 */
export const FILE_LIMITS = {
  /**
   * 2 MiB: about 14,000 tenants one per line with their own auth (more with tenantDefaults; maxStructure binds first). Parse time grows
   * with the nodes more than with the bytes, so maxStructure is what keeps any file, hostile or not, at seconds.
   */
  maxBytes: 2 * 1024 * 1024,
  /** Nesting of mappings and lists; a plan needs 5. */
  maxDepth: 32,
  /** Leading columns on a line, `- ` and `? ` included (block nesting); a plan needs about 14, pretty JSON 28. */
  maxIndent: 64,
  /**
   * Nodes of the document once every alias (*name) is expanded: a billion-laughs file is small but expands
   * exponentially; yaml's own maxAliasCount heuristic both misses a wide anchor aliased many times and refuses a
   * plan that writes `auth: *auth` on 101 tenants, so the expansion is counted exactly instead. A 14,000-tenant plan
   * has about 150,000.
   */
  maxExpandedNodes: 1_000_000,
  /** Alias nodes (*name): yaml resolves each by a scan of the document's anchors and aliases, so many are slow. */
  maxAliases: 1_000,
  /**
   * Lines, flow indicators ([ ] { } ,), `key: ` colons and `- ` dashes: a measure of how many nodes the parser would
   * build, which is what its time grows with. A 10,000-tenant plan has 50,000 to 160,000 (with auth on each line).
   */
  maxStructure: 200_000,
  /** Parser errors listed before "and N more". */
  maxListedErrors: 20,
  /** Schema problems located (file line) and kept; a plan with more gets "and N more" (locating each costs). */
  maxIssues: 200,
} as const;
