import type { FaultRule } from './api';
import { dice } from './random';

/** The pseudo-route that fault rules use to slow down or fail app distributions to a tenant. */
export const DISTRIBUTION_ROUTE = 'DISTRIBUTE';

export interface FaultDecision {
  latencyMs: number;
  action: 'none' | 'reset' | 'error' | 'rateLimit';
  retryAfterSeconds: number;
  /** Apply the request, then lose its answer this way (writes only; FaultRule.lostResponseRate). */
  lose?: 'reset' | '503';
}

const NONE: FaultDecision = { latencyMs: 0, action: 'none', retryAfterSeconds: 0 };

/**
 * Writes, for lost answers: every method but GET/HEAD, except QRS's POST /qrs/{type}/table, the table view the
 * QMC's lists use, which only reads (its body names the columns to return; src/qlik/qrs/table.ts).
 */
const isWrite = (method: string, path: string) => method !== 'GET' && method !== 'HEAD' && method !== DISTRIBUTION_ROUTE && !(method === 'POST' && /^\/qrs\/[^/]+\/table$/i.test(path));

/**
 * Seeded fault dice. The k-th request to a given (host, method, path) under a rule always rolls the same numbers,
 * whatever the interleaving with other hosts, so the same seed reproduces the same faults.
 */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private readonly counters = new Map<string, number>();
  private readonly bursts = new Map<string, number>();
  private readonly downUntil = new Map<string, number>();

  constructor(private readonly seed: number) {}

  setRules(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r }));
    this.counters.clear();
    this.bursts.clear();
  }

  getRules(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  setDown(host: string, forMs: number): void {
    this.downUntil.set(host, Date.now() + forMs);
  }

  isDown(host: string): boolean {
    const until = this.downUntil.get(host);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    this.downUntil.delete(host);
    return false;
  }

  /** Rolls the dice for one request. `path` has the virtual proxy prefix stripped (/qrs/app, /api/v1/items). */
  decide(host: string, method: string, path: string): FaultDecision {
    if (this.rules.length === 0) return NONE;
    let decision: FaultDecision = NONE;
    this.rules.forEach((rule, index) => {
      if (!appliesTo(rule, host, method, path)) return;
      const key = `${index}|${host}|${method} ${path}`;
      const n = (this.counters.get(key) ?? 0) + 1;
      this.counters.set(key, n);
      const roll = (what: string): number => dice(this.seed, `${key}|${n}|${what}`);
      decision = merge(decision, this.decideOne(rule, index, host, roll));
      // Rolled after the other dice, so adding lostResponseRate to a rule leaves its other faults as they were.
      if (decision.action === 'none' && !decision.lose && rule.lostResponseRate && isWrite(method, path) && roll('lost') < rule.lostResponseRate) {
        const as = rule.lostResponseAs ?? 'either';
        decision = { ...decision, lose: as === 'either' ? (roll('lost-as') < 0.5 ? 'reset' : '503') : as };
      }
    });
    return decision;
  }

  private decideOne(rule: FaultRule, index: number, host: string, roll: (what: string) => number): FaultDecision {
    const latencyMs = rule.latencyMs ? Math.round(rule.latencyMs.min + roll('latency') * (rule.latencyMs.max - rule.latencyMs.min)) : 0;
    const retryAfterSeconds = rule.retryAfterSeconds ?? 1;
    const burstKey = `${index}|${host}`;
    const burstLeft = this.bursts.get(burstKey) ?? 0;
    if (burstLeft > 0) {
      this.bursts.set(burstKey, burstLeft - 1);
      return { latencyMs, action: 'rateLimit', retryAfterSeconds };
    }
    if (rule.rateLimitBurstRate && roll('burst') < rule.rateLimitBurstRate) {
      this.bursts.set(burstKey, rule.burstLength ?? 0);
      return { latencyMs, action: 'rateLimit', retryAfterSeconds };
    }
    if (rule.resetRate && roll('reset') < rule.resetRate) return { latencyMs, action: 'reset', retryAfterSeconds: 0 };
    if (rule.errorRate && roll('error') < rule.errorRate) return { latencyMs, action: 'error', retryAfterSeconds: 0 };
    return { latencyMs, action: 'none', retryAfterSeconds: 0 };
  }
}

function appliesTo(rule: FaultRule, host: string, method: string, path: string): boolean {
  if (rule.host !== '*' && rule.host !== host) return false;
  if (!rule.route) return method !== DISTRIBUTION_ROUTE;
  const route = rule.route.toLowerCase();
  const target = route.startsWith('/') ? path.toLowerCase() : `${method} ${path}`.toLowerCase();
  return target.startsWith(route);
}

/** Several matching rules: latencies add up, the most disruptive action wins. */
function merge(a: FaultDecision, b: FaultDecision): FaultDecision {
  const rank = { none: 0, error: 1, rateLimit: 2, reset: 3 } as const;
  const worse = rank[b.action] > rank[a.action] ? b : a;
  const lose = worse.action === 'none' ? (a.lose ?? b.lose) : undefined;
  return { latencyMs: a.latencyMs + b.latencyMs, action: worse.action, retryAfterSeconds: worse.retryAfterSeconds, ...(lose ? { lose } : {}) };
}
