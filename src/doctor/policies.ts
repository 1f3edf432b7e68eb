/**
 * A3: the existing distribution policies (SystemRules with the Distribute action) and their categories, against
 * the plan's policy; A8: whether failed distributions left ExecutionResults.
 */
import { executionResults } from '../qlik/qrs/execution-results';
import { TaskExecutionStatus } from '../qlik/qrs/reload-tasks';
import { anyOf } from '../qlik/qrs/client';
import { systemRules, type SystemRule } from '../qlik/qrs/system-rules';
import type { Transport } from '../qlik/transport';
import type { DoctorContext } from './context';
import { errorEvidence } from './evidence';
import type { PlanAppFacts } from './site';
import { check, type CheckDraft } from './types';

/** A site check whose answer changes once a copy of the plan's apps is known to exist in some tenant. */
export interface SiteAnswer {
  draft: CheckDraft;
  whenDistributed?: CheckDraft;
}

/** The Distribute bit of SystemRule.actions (Assumption A3). */
const DISTRIBUTE = 1024;
/** The category the tool writes when the plan names none (Assumption A3). */
const DEFAULT_CATEGORY = 'Security';
/** Load-balancing rules: the distribution service does not read policies there (Assumption A3). */
const SYNC = 'sync';
/** What the tool writes into a policy's comment (src/activities/policy-rule.ts): a rule without it came from the QMC. */
const TOOL_MARKER = 'managed by qlik-rollout';

const madeByTool = (rule: SystemRule) => (rule.comment ?? '').toLowerCase().includes(TOOL_MARKER);
const categoryOf = (rule: SystemRule) => rule.category?.trim() || '(none)';

function counted(rules: SystemRule[]): string {
  const counts = new Map<string, number>();
  for (const rule of rules) counts.set(categoryOf(rule), (counts.get(categoryOf(rule)) ?? 0) + 1);
  return [...counts].map(([category, n]) => `${category} x${n}`).join(', ');
}

export async function checkPolicies(ctx: DoctorContext, qrs: Transport): Promise<SiteAnswer> {
  const { syncPolicy, ...draft } = await policyAnswer(ctx, qrs);
  if (!syncPolicy) return { draft };
  // Copies of the plan's apps arrived while its policy sits in Sync: this site's service reads Sync too.
  const whenDistributed = check.contradicted('A3', `${draft.evidence}; copies of the plan's apps arrived, so the distribution service reads Sync here`, 'nothing to change for this site (the policy works); keep policy.category out of Sync for new sites', false, { 'policy-category': 'any' });
  return { draft, whenDistributed };
}

async function policyAnswer(ctx: DoctorContext, qrs: Transport): Promise<CheckDraft & { syncPolicy?: boolean }> {
  const { policy } = ctx.plan;
  const planCategory = policy.category ?? DEFAULT_CATEGORY;
  let rules: SystemRule[];
  try {
    rules = (await systemRules.list(qrs)).filter((rule) => (rule.actions & DISTRIBUTE) !== 0);
  } catch (err) {
    return check.unknown('A3', `GET /qrs/systemrule/full: ${errorEvidence(err)}`, 'the QRS user needs read access to system rules');
  }
  if (rules.length === 0) {
    return check.unknown('A3', 'no Distribute rule on the site', `the tool will create "${policy.name}" in category ${planCategory}; to learn what this site's QMC writes, create a Cloud distribution policy in the QMC and run doctor again`);
  }
  const own = rules.find((rule) => rule.name === policy.name);
  const evidence = `${rules.length} Distribute rule(s), categories ${counted(rules)}; "${policy.name}": ${own ? `${categoryOf(own)}, made ${madeByTool(own) ? 'by qlik-rollout' : 'in the QMC'}` : 'absent'}`;
  if (own && categoryOf(own).toLowerCase() === SYNC) {
    const fix = `policy "${policy.name}" is in the load-balancing category Sync, which the distribution service does not read: in the QMC move it to ${planCategory} (or delete it: the rollout recreates it)`;
    return { ...check.contradicted('A3', evidence, fix, true), syncPolicy: true };
  }
  const qmcMade = rules.filter((rule) => !madeByTool(rule));
  if (own && !madeByTool(own) && categoryOf(own) !== planCategory) {
    return check.contradicted('A3', evidence, `the QMC made "${policy.name}" in category ${categoryOf(own)}: set policy.category: ${categoryOf(own)} in the plan (the tool adopts the policy and never rewrites its category)`, false);
  }
  const inSync = rules.filter((rule) => categoryOf(rule).toLowerCase() === SYNC);
  if (inSync.length > 0) {
    return check.contradicted('A3', evidence, `${inSync.map((r) => `"${r.name}"`).join(', ')} sit in Sync (load balancing); if those policies do distribute apps, this site reads Sync too: report it (A3)`, false);
  }
  const qmcCategories = [...new Set(qmcMade.map(categoryOf))];
  if (!own && qmcCategories.length === 1 && qmcCategories[0] !== planCategory) {
    return check.contradicted('A3', evidence, `this site's QMC writes policies in ${qmcCategories[0]}: set policy.category: ${qmcCategories[0]} in the plan`, false);
  }
  return check.holds('A3', evidence);
}

/**
 * A8 from the plan's apps' ExecutionResults: distribution records name a deployment in their details. None while
 * copies exist in some tenant means this site keeps no such records (`whenDistributed`, chosen by run.ts).
 */
export async function checkFailureRecords(qrs: Transport, apps: PlanAppFacts[]): Promise<SiteAnswer> {
  const ids = apps.flatMap((a) => (a.app ? [a.app.id] : []));
  if (ids.length === 0) return { draft: check.unknown('A8', 'none of the plan\'s apps exists on QSEoW', 'check the app names in the plan') };
  try {
    const results = await executionResults.list(qrs, anyOf('appID', ids, false));
    const records = results.filter((result) => (result.details ?? []).some((detail) => /deployment/i.test(detail.message ?? '')));
    const failed = records.filter((result) => result.status === TaskExecutionStatus.FinishedFail).length;
    const observed = { 'failure-records': 'execution-results' };
    if (records.length > 0) return { draft: check.holds('A8', `${records.length} distribution record(s) in the plan's apps' ExecutionResults, ${failed} failed (status 8)`, observed) };
    const evidence = `${results.length} ExecutionResult(s) of the plan's apps, none naming a deployment`;
    return {
      draft: check.unknown('A8', evidence, 'nothing distributed yet: run doctor again after the canary; failures would show as status-8 ExecutionResults naming the deployment'),
      whenDistributed: check.contradicted('A8', `${evidence}, although copies arrived`, 'nothing to change: QSEoW keeps no distribution records here, so a failed delivery shows as a tenant waiting for its app until the re-send (distribution.resendAfter)', false, { 'failure-records': 'none' }),
    };
  } catch (err) {
    return { draft: check.unknown('A8', `GET /qrs/executionresult/full: ${errorEvidence(err)}`, 'the QRS user needs read access to execution results') };
  }
}
