/** The doctor's table for people: one line per check, the fix under each contradiction or unknown. */
import { ASSUMPTIONS, type AssumptionId } from '../qlik/assumptions';
import type { Answer, CheckId, DoctorReport } from './types';

const LABELS: Record<CheckId, string> = {
  qrs: 'QRS reachable, credentials accepted',
  'qrs-version': 'QRS version',
  hds: 'deployments API reachable',
  tenant: 'tenant reachable, credentials accepted',
  'tenant-admin': 'API key user is TenantAdmin',
  'managed-spaces': 'edition has managed spaces',
  idp: 'multi-cloud IdPs (ours, foreign, stale)',
  'rate-limits': 'rate-limit headers',
  A1: 'HDS deployment list shape',
  A2: 'multi-edit custom property key',
  A3: 'distribution policy category',
  A4: 'staged copies in the items list',
  A5: 'copy id vs QSEoW app id',
  A6: 'copy lastReloadTime vs QSEoW',
  A7: 'multi-cloud IdP create payload',
  A8: 'failed distributions recorded',
  A9: 'setup starts no distribution',
  A10: 'no-op app PUT re-sends',
  A11: 'service does not retry by itself',
  A12: 'token text byte-stable',
  A13: 'JWT proxy session cookie',
};

export function checkLabel(id: CheckId): string {
  return LABELS[id] ?? (id in ASSUMPTIONS ? ASSUMPTIONS[id as AssumptionId].title : id);
}

export interface Paint {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function renderReport(report: DoctorReport, paint: Paint): string {
  const colour: Record<Answer, (text: string) => string> = { holds: paint.green, contradicted: paint.red, unknown: paint.yellow, 'not applicable': paint.dim };
  const lines = [`Doctor for plan ${report.plan} (read-only: nothing was written)`];
  let scope = '';
  for (const c of report.checks) {
    if (c.scope !== scope) {
      scope = c.scope;
      lines.push('', paint.bold(scope === 'site' ? 'QSEoW site' : `tenant ${scope}`));
    }
    const answer = c.answer === 'contradicted' && c.breaks ? 'CONTRADICTED' : c.answer;
    lines.push(`  ${c.id.padEnd(14)} ${colour[c.answer](answer.padEnd(14))} ${checkLabel(c.id)}: ${c.evidence}`);
    if (c.fix && c.answer !== 'holds') lines.push(`  ${''.padEnd(14)} ${''.padEnd(14)} ${paint.dim(c.answer === 'unknown' ? 'watch:' : 'fix:')} ${c.fix}`);
  }
  const s = report.summary;
  lines.push(
    '',
    `${s.holds} hold, ${s.contradicted} contradicted (${s.breaking} would break the rollout), ${s.unknown} unknown, ${s.notApplicable} not applicable.`,
    s.breaking > 0 ? 'Fix the CONTRADICTED lines before starting the rollout (README: "First real site").' : 'Nothing contradicts the plan.',
  );
  return lines.join('\n');
}
