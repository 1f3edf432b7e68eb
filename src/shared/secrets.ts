/**
 * Resolves secret references (`env:NAME`, `file:/path`) on the worker, inside activities. Values are cached
 * briefly so a burst of calls does not re-read a file each time, yet a rotated key is picked up within seconds.
 * Errors name the reference, never the value.
 */
import fs from 'node:fs/promises';
import { configFailure } from '../qlik/errors';

const DEFAULT_TTL_MS = 10_000;

interface CachedSecret {
  value: string;
  expiresAt: number;
}

const cache = new Map<string, CachedSecret>();

export function isSecretRef(ref: string): boolean {
  return /^(env:.+|file:.+)$/.test(ref);
}

async function readSecret(ref: string, purpose: string): Promise<string> {
  if (ref.startsWith('env:')) {
    const name = ref.slice('env:'.length);
    const value = process.env[name];
    if (value === undefined || value === '') {
      throw configFailure(`${purpose}: the environment variable ${name} (from ${ref}) is not set on the worker; set it and retry.`);
    }
    return value;
  }
  if (ref.startsWith('file:')) {
    const path = ref.slice('file:'.length);
    try {
      const value = (await fs.readFile(path, 'utf8')).trim();
      if (!value) throw configFailure(`${purpose}: the file behind ${ref} is empty; put the secret in it and retry.`);
      return value;
    } catch (err) {
      if (err instanceof Error && err.name === 'ApplicationFailure') throw err;
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw configFailure(`${purpose}: cannot read the secret file behind ${ref} (${code}); check the path and the worker's permissions.`);
    }
  }
  throw configFailure(`${purpose}: "${ref.slice(0, 5)}..." is not a secret reference; use env:VAR_NAME or file:/path.`);
}

/**
 * The secret value behind `ref`. `purpose` says what it is for in errors (e.g. "API key of tenant acme").
 * Never log or return the value beyond the HTTP call that needs it.
 */
export async function resolveSecret(ref: string, purpose: string, ttlMs = DEFAULT_TTL_MS): Promise<string> {
  const now = Date.now();
  const cached = cache.get(ref);
  if (cached && cached.expiresAt > now) return cached.value;
  const value = await readSecret(ref, purpose);
  cache.set(ref, { value, expiresAt: now + ttlMs });
  return value;
}

/**
 * Drops cached values (all, or one reference), e.g. after a 401 so the next attempt re-reads a rotated key.
 * Returns false: the caller should not retry at once (a bad key stays bad until a person fixes it).
 */
export function forgetSecret(ref?: string): false {
  if (ref === undefined) cache.clear();
  else cache.delete(ref);
  return false;
}
