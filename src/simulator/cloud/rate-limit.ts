/**
 * Qlik Cloud rate limits per tenant and tier (doc QDEV-RL): tier 1 (reads) 1,000/min, tier 2 (writes) 100/min.
 * Fixed one-minute windows (Qlik meters over 5 minutes; a minute keeps tests short). Exceeding answers 429 with
 * Retry-After in seconds and the body shape quoted in doc AE-RL.
 */
import { HttpError } from '../http/types';

export interface RateLimitConfig {
  readPerMinute: number;
  writePerMinute: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = { readPerMinute: 1000, writePerMinute: 100, windowMs: 60_000 };

interface Window {
  start: number;
  count: number;
}

export function rateLimitedError(retryAfterSeconds: number): HttpError {
  return new HttpError(
    429,
    { errors: [{ code: 'HTTP-429', title: 'API rate limit reached.', detail: `You need to wait ${retryAfterSeconds} seconds until limit is lifted.` }] },
    { 'retry-after': String(retryAfterSeconds) },
  );
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly config: RateLimitConfig | null) {}

  /** Counts one request; throws the 429 when the tenant's tier is exhausted. */
  check(tenant: string, method: string, now = Date.now()): void {
    if (!this.config) return;
    const tier = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
    const limit = tier === 'read' ? this.config.readPerMinute : this.config.writePerMinute;
    const key = `${tenant}|${tier}`;
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.config.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= limit) {
      throw rateLimitedError(Math.max(1, Math.ceil((window.start + this.config.windowMs - now) / 1000)));
    }
    window.count++;
  }
}
