/**
 * Simulator variants: for each thing Qlik does not document (an assumption id of src/qlik/assumptions.ts), the
 * plausible ways a real site may behave. `qlik-rollout simulator --variant KEY=VALUE` and
 * `startSimulator({ variants: { KEY: VALUE } })` choose one; the first value of each list is the default.
 * The simulator's modules read `variants.<key>`; nothing else knows which variant runs.
 */
import type { AssumptionId } from '../qlik/assumptions';

interface VariantSpec {
  assumption: AssumptionId;
  values: readonly string[];
  describe: string;
}

export const VARIANTS = {
  'hds-casing': { assumption: 'A1', values: ['camel', 'pascal'], describe: 'field names of HDS deployment objects (id/name/serviceUrl or Id/Name/ServiceUrl)' },
  'hds-list': { assumption: 'A1', values: ['array', 'envelope'], describe: 'GET Deployments answers a bare array or {data: [...]}' },
  'multiedit-key': { assumption: 'A2', values: ['name', 'id'], describe: 'synthetic root names a custom property "@<name>" or "@<definition id>"' },
  'policy-category': { assumption: 'A3', values: ['any-but-sync', 'security-only', 'any'], describe: 'which SystemRule categories the distribution service reads as policies' },
  'items-staged': { assumption: 'A4', values: ['noactions-only', 'always'], describe: 'staged apps appear in /api/v1/items only with noActions=true, or always' },
  'copy-id': { assumption: 'A5', values: ['new', 'same'], describe: 'the cloud copy gets a new id or keeps the QSEoW app id' },
  'cloud-reload-time': { assumption: 'A6', values: ['equal', 'earlier-ms', 'later-ms', 'seconds'], describe: 'a copy\'s lastReloadTime against QSEoW\'s: equal, 1-900 ms earlier, 1-900 ms later, or truncated to seconds' },
  'failure-records': { assumption: 'A8', values: ['execution-results', 'none'], describe: 'failed distributions leave ExecutionResults (status 8) or nothing' },
  'trigger-on-setup': { assumption: 'A9', values: ['no', 'yes'], describe: 'creating a deployment or an IdP, or changing a policy, also starts distributions' },
  'touch-triggers': { assumption: 'A10', values: ['yes', 'no'], describe: 'an app PUT that changes nothing but modifiedDate re-evaluates the policies' },
  'retry-failed': { assumption: 'A11', values: ['no', 'yes'], describe: 'the distribution service retries a failed delivery by itself after a while' },
  'token-text': { assumption: 'A12', values: ['stable', 'per-call'], describe: 'elastictokenconfig text is byte-stable, or wraps a per-call nonce around the same key' },
  'session-cookie': { assumption: 'A13', values: ['yes', 'no'], describe: 'the JWT virtual proxy sets X-Qlik-Session-jwt and accepts it instead of the JWT' },
  'idp-create-payload': { assumption: 'A7', values: ['top-level', 'options-only'], describe: 'a multi-cloud IdP is created with a top-level base64Encoded (community script) or, like other non-interactive IdPs, only with options.base64Encoded (400 otherwise)' },
} as const satisfies Record<string, VariantSpec>;

export type VariantKey = keyof typeof VARIANTS;
export type Variants = { [K in VariantKey]: (typeof VARIANTS)[K]['values'][number] };

export const DEFAULT_VARIANTS: Variants = Object.fromEntries(
  Object.entries(VARIANTS).map(([key, spec]) => [key, spec.values[0]]),
) as Variants;

export function isVariantKey(key: string): key is VariantKey {
  return Object.prototype.hasOwnProperty.call(VARIANTS, key);
}

/** Defaults overlaid with the given choices; an unknown key or value is an Error naming the allowed ones. */
export function resolveVariants(chosen: Partial<Record<string, string>> = {}): Variants {
  const out: Record<string, string> = { ...DEFAULT_VARIANTS };
  for (const [key, value] of Object.entries(chosen)) {
    if (value === undefined) continue;
    if (!isVariantKey(key)) throw new Error(`unknown simulator variant "${key}"; known: ${Object.keys(VARIANTS).join(', ')}`);
    const allowed: readonly string[] = VARIANTS[key].values;
    if (!allowed.includes(value)) throw new Error(`variant ${key} takes ${allowed.join(' | ')}, not "${value}"`);
    out[key] = value;
  }
  return out as Variants;
}

/** `KEY=VALUE` (the CLI's --variant) into a choice. */
export function parseVariantArg(arg: string, into: Partial<Record<string, string>> = {}): Partial<Record<string, string>> {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--variant takes KEY=VALUE, e.g. copy-id=same; got "${arg}"`);
  into[arg.slice(0, eq)] = arg.slice(eq + 1);
  resolveVariants(into);
  return into;
}
