/**
 * What `qlik-rollout doctor` reports: one answer per check, per scope (the QSEoW site or one tenant).
 * A check is either an assumption of src/qlik/assumptions.ts (id A1..A13) or a prerequisite of the rollout
 * (reachability, rights, editions), named in lower case.
 */
import type { AssumptionId } from '../qlik/assumptions';

export type Answer = 'holds' | 'contradicted' | 'unknown' | 'not applicable';

export type PrerequisiteId = 'qrs' | 'qrs-version' | 'hds' | 'tenant' | 'tenant-admin' | 'managed-spaces' | 'idp' | 'rate-limits';

export type CheckId = AssumptionId | PrerequisiteId;

export interface CheckResult {
  id: CheckId;
  /** 'site' (QSEoW) or a tenant name. */
  scope: string;
  answer: Answer;
  /** What was seen: statuses, field names, counts. Never a secret; sanitised before printing. */
  evidence: string;
  /** True when the contradiction would make the rollout fail (exit 1). */
  breaks: boolean;
  /** What to change (the plan, the site, the tenant), for a contradiction; or what to watch, for an unknown. */
  fix?: string;
  /**
   * Which of the plausible behaviours (the values of src/simulator/variants.ts, keyed like it) the site shows,
   * when a read-only look can tell.
   */
  observed?: Record<string, string>;
}

export interface DoctorReport {
  plan: string;
  /** Assumption checks and prerequisites, site first, then tenant by tenant. */
  checks: CheckResult[];
  summary: { holds: number; contradicted: number; unknown: number; notApplicable: number; breaking: number };
  /** 0 nothing contradicts the plan, 1 something would break the rollout. */
  exitCode: 0 | 1;
}

type Draft = Omit<CheckResult, 'scope' | 'breaks'> & { breaks?: boolean };

/** Builders that keep each check module short. */
export const check = {
  holds: (id: CheckId, evidence: string, observed?: Record<string, string>): Draft => ({ id, answer: 'holds', evidence, observed }),
  /** A contradiction the tool adapts to (breaks false) or one that stops the rollout (breaks true). */
  contradicted: (id: CheckId, evidence: string, fix: string, breaks: boolean, observed?: Record<string, string>): Draft => ({ id, answer: 'contradicted', evidence, fix, breaks, observed }),
  unknown: (id: CheckId, evidence: string, fix: string, observed?: Record<string, string>): Draft => ({ id, answer: 'unknown', evidence, fix, observed }),
  notApplicable: (id: CheckId, evidence: string): Draft => ({ id, answer: 'not applicable', evidence }),
};
export type CheckDraft = Draft;

export function inScope(scope: string, drafts: CheckDraft[]): CheckResult[] {
  // id and scope first, so the JSON reads in the order of the table.
  return drafts.map(({ id, ...rest }) => ({ id, scope, ...rest, breaks: rest.answer === 'contradicted' && Boolean(rest.breaks) }));
}
