/**
 * The sequential baseline: what a script or a looped automation does. One tenant after another, the same activity
 * functions called directly (no Temporal), against the same simulator. Also measures, per tenant, how many Qlik
 * calls lie on one tenant's path, which the latency model needs.
 */
import { closeAllPools, createActivities, onQlikCall } from '../activities';
import type { RolloutPlan } from '../plan/types';
import { createLogger } from '../shared/logger';
import { tenantContext } from '../workflows/context';
import { SETUP_PHASES } from '../workflows/messages';

export interface BaselineTenant {
  tenant: string;
  ms: number;
  /** Qlik HTTP calls made for the tenant (all sequential, apart from a few parallel item reads). */
  calls: number;
  /** Of which writes to the tenant's Qlik Cloud (tier-2 rate limit). */
  cloudWrites: number;
  cloudReads: number;
  /** Calls to the QSEoW site (QRS and the deployments API): they share the worker's sockets to it. */
  qseowCalls: number;
  /** Writes to QSEoW objects every tenant changes (the custom property and the plan's apps). */
  sharedQrsWrites: number;
}

export interface BaselineResult {
  tenants: BaselineTenant[];
  meanMsPerTenant: number;
  meanCallsPerTenant: number;
  meanQseowCallsPerTenant: number;
}

/** QSEoW objects every tenant writes: serialised across tenants by optimistic concurrency (409 on a stale write). */
const SHARED_QRS_WRITE = /^\/(jwt\/)?qrs\/(custompropertydefinition\/|app\/|selection\/.*\/synthetic)/i;

export async function runSequentialBaseline(plan: RolloutPlan, tenantNames: string[], pollIntervalMs: number): Promise<BaselineResult> {
  const activities = createActivities({ logger: createLogger({ level: 'silent' }), pollIntervalMs });
  let current: BaselineTenant | undefined;
  const stop = onQlikCall((event) => {
    if (!current) return;
    current.calls += 1;
    const write = event.method !== 'GET' && event.method !== 'HEAD';
    if (event.kind === 'cloud') {
      if (write) current.cloudWrites += 1;
      else current.cloudReads += 1;
    } else {
      current.qseowCalls += 1;
      if (write && SHARED_QRS_WRITE.test(event.route)) current.sharedQrsWrites += 1;
    }
  });
  const tenants: BaselineTenant[] = [];
  try {
    for (const name of tenantNames) {
      const entry = plan.tenants.find((t) => t.name === name);
      if (!entry) throw new Error(`baseline tenant ${name} is not in the plan`);
      const ctx = tenantContext('bench-baseline', plan, entry);
      current = { tenant: name, ms: 0, calls: 0, cloudWrites: 0, cloudReads: 0, qseowCalls: 0, sharedQrsWrites: 0 };
      const started = Date.now();
      // The tenant workflow's own order (Qlik's setup order), one phase after the other.
      const phase: Record<(typeof SETUP_PHASES)[number], (c: typeof ctx) => Promise<unknown>> = {
        deployment: activities.ensureDeployment, idp: activities.ensureIdp, policy: activities.ensurePolicy, verify: activities.verifyApp, publish: activities.firstPublish,
      };
      for (const name of SETUP_PHASES) await phase[name](ctx);
      current.ms = Date.now() - started;
      tenants.push(current);
    }
  } finally {
    current = undefined;
    stop();
    await closeAllPools();
  }
  const mean = (pick: (t: BaselineTenant) => number) => tenants.reduce((a, t) => a + pick(t), 0) / Math.max(tenants.length, 1);
  const tenth = (value: number) => Math.round(value * 10) / 10;
  return { tenants, meanMsPerTenant: Math.round(mean((t) => t.ms)), meanCallsPerTenant: tenth(mean((t) => t.calls)), meanQseowCallsPerTenant: tenth(mean((t) => t.qseowCalls)) };
}
