/**
 * One undici Pool per origin and TLS identity, reused by every call to that host (keep-alive, bounded sockets).
 * A rollout may touch thousands of tenant hosts, so the cache is bounded and closes the least recently used pool.
 */
import { createHash } from 'node:crypto';
import { Pool } from 'undici';
import { ProxySession } from './session';

export interface PoolOptions {
  /** Verify the server's TLS certificate (default true). */
  rejectUnauthorized?: boolean;
  /** Client certificate (QRS on port 4242), PEM text. */
  cert?: string;
  key?: string;
  ca?: string;
  passphrase?: string;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Sockets per origin. */
  connections?: number;
}

const MAX_POOLS = 512;
const pools = new Map<string, Pool>();

function cacheKey(origin: string, options: PoolOptions): string {
  // The key holds a hash of the TLS material, never the material itself.
  const tls = createHash('sha256')
    .update([options.cert, options.key, options.ca, options.passphrase].map((part) => part ?? '').join('\0'))
    .digest('hex')
    .slice(0, 16);
  return `${origin}|${options.rejectUnauthorized !== false}|${options.connections ?? ''}|${tls}`;
}

export function poolFor(origin: string, options: PoolOptions = {}): Pool {
  const key = cacheKey(origin, options);
  const existing = pools.get(key);
  if (existing && !existing.closed && !existing.destroyed) {
    // Re-insert: Map order doubles as LRU order.
    pools.delete(key);
    pools.set(key, existing);
    return existing;
  }
  const pool = new Pool(origin, {
    connections: options.connections ?? 8,
    connect: {
      timeout: options.connectTimeoutMs ?? 10_000,
      rejectUnauthorized: options.rejectUnauthorized !== false,
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      passphrase: options.passphrase,
    },
    headersTimeout: options.headersTimeoutMs ?? 60_000,
    bodyTimeout: options.bodyTimeoutMs ?? 120_000,
    keepAliveTimeout: 10_000,
  });
  pools.set(key, pool);
  if (pools.size > MAX_POOLS) {
    const [oldestKey, oldest] = pools.entries().next().value as [string, Pool];
    pools.delete(oldestKey);
    void oldest.close().catch(() => undefined);
  }
  return pool;
}

/**
 * The JWT virtual proxy session of one pool and credential (`key`: virtual proxy path + secret reference, never the
 * secret): every transport over that pool shares it, so QRS and deployments calls with the same JWT on the same proxy
 * join one proxy session (Assumption A13). Held weakly: a closed, evicted pool takes its sessions with it.
 */
const sessions = new WeakMap<Pool, Map<string, ProxySession>>();

export function proxySessionFor(pool: Pool, key: string): ProxySession {
  let byKey = sessions.get(pool);
  if (!byKey) sessions.set(pool, (byKey = new Map()));
  let session = byKey.get(key);
  if (!session) byKey.set(key, (session = new ProxySession()));
  return session;
}

/** Closes every pool (worker shutdown, end of a test file). */
export async function closeAllPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.close().catch(() => undefined)));
}
