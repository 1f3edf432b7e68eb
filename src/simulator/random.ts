/**
 * Seeded randomness. Everything the simulator invents (ids, keys, tokens, fault dice) comes from here so that
 * the same seed reproduces the same run.
 */

/** mulberry32: tiny, fast, good enough for simulation (not for cryptography). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string, mixed with a seed: a stable 32-bit hash for per-request dice. */
export function hash32(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche so that neighbouring counters give unrelated numbers.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) fixed by (seed, key). */
export function dice(seed: number, key: string): number {
  return hash32(seed, key) / 4294967296;
}

const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Id factory: one deterministic stream per purpose, so adding ids of one kind does not shift the others. */
export class IdSource {
  private readonly streams = new Map<string, () => number>();

  constructor(private readonly seed: number) {}

  private stream(purpose: string): () => number {
    let next = this.streams.get(purpose);
    if (!next) {
      next = mulberry32(hash32(this.seed, purpose));
      this.streams.set(purpose, next);
    }
    return next;
  }

  private chars(purpose: string, alphabet: string, length: number): string {
    const next = this.stream(purpose);
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  }

  /** A QRS-style GUID (version 4 layout). */
  guid(purpose: string): string {
    const h = this.chars(purpose, HEX, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** A Qlik Cloud object id: 24 hex characters, like space ids (62716f4b39b865ece543cd45). */
  cloudId(purpose: string): string {
    return this.chars(purpose, HEX, 24);
  }

  /** An opaque secret (API key, bearer token). */
  secret(purpose: string, length = 48): string {
    return this.chars(purpose, ALNUM, length);
  }

  /** A Qlik Cloud tenant id: 32 url-safe characters. */
  tenantId(purpose: string): string {
    return this.chars(purpose, `${ALNUM}-_`, 32);
  }

  /** A number in [min, max] from the purpose's stream. */
  intBetween(purpose: string, min: number, max: number): number {
    return min + Math.floor(this.stream(purpose)() * (max - min + 1));
  }
}
