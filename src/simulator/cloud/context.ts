import { z } from 'zod';
import type { MonotonicClock } from '../clock';
import type { DistributionEngine } from '../distribution/engine';
import { parseJsonBody, type SimRequest } from '../http/types';
import type { IdSource } from '../random';
import type { Variants } from '../variants';
import { badRequest } from './errors';
import type { TenantStore } from './model';

/** What the tenant route modules share. */
export interface CloudContext {
  tenantOf(req: SimRequest): TenantStore;
  ids: IdSource;
  clock: MonotonicClock;
  engine: DistributionEngine;
  tenantsWithoutManagedSpaces: Set<string>;
  variants: Variants;
}

/** Parses a JSON body with zod; a bad body is a JSON:API 400. */
export function readCloudBody<S extends z.ZodType>(req: SimRequest, schema: S): z.infer<S> {
  const parsed = schema.safeParse(parseJsonBody(req, (m) => badRequest(m)));
  if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}
