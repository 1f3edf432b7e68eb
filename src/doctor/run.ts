/**
 * `qlik-rollout doctor`: read-only checks of the source site and each tenant against the plan, one per assumption
 * id (src/qlik/assumptions.ts) plus the rollout's prerequisites. Sends GETs, plus the POSTs Qlik documents as reads
 * (the QRS table view) and one QRS selection for A2 (see multi-edit.ts); writes nothing.
 */
import { mapLimited } from '../cli/commands/dry-run';
import { resolveTenant } from '../plan/tenant';
import type { RolloutPlan } from '../plan/types';
import { resolveSecret } from '../shared/secrets';
import type { DoctorContext, DoctorOptions } from './context';
import { sanitise } from './evidence';
import { checkHds } from './hds';
import { HeaderRecorder } from './headers';
import { checkMultiEditKey } from './multi-edit';
import { checkFailureRecords, checkPolicies, type SiteAnswer } from './policies';
import { checkQrs, checkSessionCookie } from './site';
import { checkTenant, type SiteView } from './tenant';
import { check, inScope, type CheckDraft, type CheckResult, type DoctorReport } from './types';
import { unsettledChecks } from './unsettled';

/** Tenants read at once: quick, and far from Qlik Cloud's rate limits. */
const TENANT_CONCURRENCY = 8;

async function siteChecks(ctx: DoctorContext): Promise<{ drafts: CheckDraft[]; answers: SiteAnswer[]; site: SiteView }> {
  const [qrsFacts, hdsFacts] = await Promise.all([checkQrs(ctx), checkHds(ctx)]);
  const drafts = [...qrsFacts.drafts, ...hdsFacts.drafts];
  const answers: SiteAnswer[] = [];
  const { qrs } = qrsFacts;
  if (qrs) {
    drafts.push(await checkMultiEditKey(ctx, qrs, qrsFacts.apps));
    answers.push(await checkPolicies(ctx, qrs), await checkFailureRecords(qrs, qrsFacts.apps));
  } else {
    drafts.push(...(['A2', 'A3', 'A8'] as const).map((id) => check.unknown(id, 'QRS not reachable', 'fix check "qrs" first')));
  }
  drafts.push(...unsettledChecks(), checkSessionCookie(ctx));
  return { drafts, answers, site: { apps: qrsFacts.apps, deployments: hdsFacts.deployments, hds: hdsFacts.hds } };
}

/** The secret values the plan refers to on the site side, so no evidence string can carry one. */
async function siteSecrets(plan: RolloutPlan): Promise<string[]> {
  const { auth } = plan.source;
  const refs = auth.type === 'jwt' ? [auth.token] : [auth.cert, auth.key, auth.passphrase].filter((ref): ref is string => Boolean(ref));
  return Promise.all(refs.map((ref) => resolveSecret(ref, 'QSEoW credential (redacted from the doctor report)').catch(() => '')));
}

const ORDER = ['qrs', 'qrs-version', 'hds', 'A1', 'A2', 'A3', 'A8', 'A9', 'A10', 'A11', 'A12', 'A13', 'tenant', 'tenant-admin', 'managed-spaces', 'idp', 'A7', 'A4', 'A5', 'A6', 'rate-limits'];

export function summarise(plan: string, checks: CheckResult[]): DoctorReport {
  const count = (answer: CheckResult['answer']) => checks.filter((c) => c.answer === answer).length;
  const breaking = checks.filter((c) => c.breaks).length;
  return {
    plan,
    checks,
    summary: { holds: count('holds'), contradicted: count('contradicted'), unknown: count('unknown'), notApplicable: count('not applicable'), breaking },
    exitCode: breaking > 0 ? 1 : 0,
  };
}

export async function runDoctor(plan: RolloutPlan, options: DoctorOptions = {}): Promise<DoctorReport> {
  const ctx: DoctorContext = { plan, options, headers: new HeaderRecorder().start(), secrets: new Set(await siteSecrets(plan)) };
  try {
    const { drafts, answers, site } = await siteChecks(ctx);
    const entries = options.tenants ? plan.tenants.filter((t) => options.tenants!.includes(t.name)) : plan.tenants;
    const perTenant = await mapLimited(entries, TENANT_CONCURRENCY, async (entry) => inScope(entry.name, await checkTenant(ctx, site, resolveTenant(plan, entry))));
    // A copy in some tenant (A5 answered from one) settles the site answers that wait for a distribution.
    const distributed = perTenant.some((list) => list.some((c) => c.id === 'A5' && c.answer === 'holds'));
    drafts.push(...answers.map((answer) => (distributed && answer.whenDistributed) || answer.draft));
    const byOrder = (a: CheckResult, b: CheckResult) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id);
    const checks = [...inScope('site', drafts).sort(byOrder), ...perTenant.flatMap((list) => list.sort(byOrder))];
    const secrets = [...ctx.secrets].filter(Boolean);
    const clean = (text?: string) => (text === undefined ? undefined : sanitise(text, secrets));
    return summarise(plan.name, checks.map((c) => ({ ...c, evidence: clean(c.evidence) ?? '', fix: clean(c.fix) })));
  } finally {
    ctx.headers.stop();
  }
}
