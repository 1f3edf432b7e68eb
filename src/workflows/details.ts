/**
 * What the Temporal Web UI shows of each workflow besides its search attributes: a one-line static summary set at
 * start (user metadata, shown in the workflow list and on the workflow page) and the current details
 * (`setCurrentDetails`, Temporal markdown, shown on the workflow page) that the rollout and tenant workflows keep
 * up to date: waves, counts, failures with reasons and the next command to run. Pure and workflow-safe: no Node
 * APIs, no I/O; setting current details adds no history event.
 *
 * Markdown kept to what the Web UI renders: headings, bold, inline code and lists (no tables).
 */
import type { PhaseName, RolloutStatus, TenantProgress, TenantStatus, WaveProgress } from './messages';

const CLI = 'qlik-rollout';
/** Failures listed by name; the rest are counted (details stay small at 10,000 tenants). */
export const MAX_LISTED_FAILURES = 10;
const MAX_LISTED_WAVES = 20;
const MAX_TEXT = 300;

/** One line, bounded, without characters that would end inline code or start markdown structure. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').replace(/`/g, "'").trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

const code = (command: string) => `\`${command.replace(/`/g, "'")}\``;

// --- static summaries (single line) ---------------------------------------------------------------------

export function rolloutSummary(plan: { name: string; tenants: readonly unknown[]; waves: ReadonlyArray<{ name: string }> }, options: { onlyNew?: boolean } = {}): string {
  const waves = plan.waves.map((w) => w.name).join(' → ');
  return `Rollout ${plan.name}: ${plan.tenants.length} tenant(s) to Qlik Cloud in ${plan.waves.length} wave(s) (${waves})${options.onlyNew ? ', only tenants not yet migrated' : ''}`;
}

export function tenantSummary(rolloutId: string, tenant: string, wave: string): string {
  return `Tenant ${tenant}: QSEoW → Qlik Cloud, rollout ${rolloutId}, wave ${wave}`;
}

export function syncSummary(tenant: string, siteKey: string): string {
  return `Sync of tenant ${tenant} after every reload on QSEoW site ${siteKey}`;
}

export function reloadWatcherSummary(siteKey: string): string {
  return `Reload watcher of QSEoW site ${siteKey}: tells the tenant syncs about finished reloads`;
}

// --- commands ---------------------------------------------------------------------------------------------

export const commands = {
  watch: (rolloutId: string) => `${CLI} watch ${rolloutId}`,
  resume: (rolloutId: string) => `${CLI} resume ${rolloutId}`,
  approve: (rolloutId: string, wave: string) => `${CLI} approve ${rolloutId} --wave ${wave}`,
  retry: (tenant: string, rolloutId: string) => `${CLI} retry ${tenant} --rollout ${rolloutId}`,
  skip: (tenant: string, rolloutId: string) => `${CLI} skip ${tenant} --rollout ${rolloutId} --reason "..."`,
  syncStatus: (tenant: string) => `${CLI} sync status ${tenant}`,
  start: (rolloutId: string) => `${CLI} start <plan of ${rolloutId}>`,
};

// --- rollout ----------------------------------------------------------------------------------------------

export interface RolloutDetailsView {
  rolloutId: string;
  status: RolloutStatus;
  reason?: string;
  run: number;
  waves: WaveProgress[];
  /** The first failed tenants (at most MAX_LISTED_FAILURES), oldest first. */
  failures: TenantProgress[];
  /** All failed tenants. */
  failureCount: number;
  alreadyMigrated?: number;
}

const ORDER: TenantStatus[] = ['succeeded', 'running', 'paused', 'waiting-for-action', 'failed', 'skipped', 'cancelled', 'pending'];

function waveLine(wave: WaveProgress): string {
  const total = ORDER.reduce((sum, s) => sum + (wave.counts[s] ?? 0), 0);
  const done = (['succeeded', 'failed', 'skipped', 'cancelled'] as const).reduce((sum, s) => sum + (wave.counts[s] ?? 0), 0);
  const counts = ORDER.filter((s) => (wave.counts[s] ?? 0) > 0).map((s) => `${wave.counts[s]} ${s}`).join(', ');
  return `- **${wave.name}** (${wave.status}): ${done}/${total} done${counts ? `; ${counts}` : ''}; failure budget ${wave.failureBudget}`;
}

function rolloutNext(view: RolloutDetailsView): string[] {
  const id = view.rolloutId;
  const first = view.failures[0]?.tenant;
  const fix = first ? [`fix the cause, then ${code(commands.retry(first, id))}, or give up on it: ${code(commands.skip(first, id))}${view.failureCount > 1 ? ' (the same for each failed tenant)' : ''}`] : [];
  const awaiting = view.waves.find((w) => w.status === 'awaiting-approval');
  switch (view.status) {
    case 'awaiting-approval':
      return awaiting ? [`check wave ${awaiting.name}, then ${code(commands.approve(id, awaiting.name))}`] : [code(commands.watch(id))];
    case 'halted':
      return [...fix, `then ${code(commands.resume(id))}`];
    case 'paused':
      return [...fix, code(commands.resume(id))];
    case 'running':
      return [...fix, `follow it: ${code(commands.watch(id))}`];
    case 'aborting':
      return ['nothing: running tenants are being cancelled'];
    case 'failed':
      return [...fix, 'the failed tenants accept retry or skip until their wait for action times out'];
    case 'aborted':
      return [`nothing runs any more; to run it again: ${code(commands.start(id))} (phases read before they write)`];
    case 'succeeded':
      return [`nothing: every tenant is migrated; the syncs keep them current (${code(`${CLI} sync status`)})`];
  }
}

export function rolloutDetails(view: RolloutDetailsView): string {
  const lines = [`### Rollout ${view.rolloutId}: ${view.status}${view.run > 1 ? ` (run ${view.run})` : ''}`];
  if (view.reason) lines.push('', oneLine(view.reason));
  if (view.alreadyMigrated) lines.push('', `${view.alreadyMigrated} tenant(s) already migrated: skipped, not run again.`);
  lines.push('', '**Waves**');
  for (const wave of view.waves.slice(0, MAX_LISTED_WAVES)) lines.push(waveLine(wave));
  if (view.waves.length > MAX_LISTED_WAVES) lines.push(`- … and ${view.waves.length - MAX_LISTED_WAVES} more wave(s)`);
  if (view.failureCount > 0) {
    lines.push('', `**Failures (${view.failureCount})**`);
    for (const t of view.failures) lines.push(`- ${code(t.tenant)} (wave ${t.wave}${t.phase ? `, phase ${t.phase}` : ''}): ${oneLine(t.reason ?? 'no reason given')}`);
    if (view.failureCount > view.failures.length) lines.push(`- … and ${view.failureCount - view.failures.length} more (${code(`${CLI} status ${view.rolloutId} --json`)})`);
  }
  lines.push('', '**Next**', ...rolloutNext(view).map((step) => `- ${step}`));
  return lines.join('\n');
}

// --- tenant -----------------------------------------------------------------------------------------------

export interface TenantDetailsView {
  rolloutId: string;
  tenant: string;
  wave: string;
  status: TenantStatus;
  phase?: PhaseName;
  reason?: string;
  phases: readonly PhaseName[];
  completedPhases: readonly PhaseName[];
  /** Attempts of the current phase (retries by a person, not activity retries). */
  attempts?: number;
}

const TENANT_LABEL: Record<TenantStatus, string> = {
  pending: 'pending',
  running: 'running',
  paused: 'paused',
  'waiting-for-action': 'failed, waiting for retry or skip',
  succeeded: 'migrated',
  failed: 'failed (the wait for retry or skip timed out)',
  skipped: 'skipped',
  cancelled: 'cancelled (rollout aborted)',
};

function phaseLine(view: TenantDetailsView): string {
  const failed = view.status === 'waiting-for-action' || view.status === 'failed';
  return view.phases.map((phase) => {
    if (view.completedPhases.includes(phase)) return `${phase} ✓`;
    if (phase === view.phase && failed) return `**${phase} ✗**`;
    if (phase === view.phase && view.status === 'running') return `**${phase} …**`;
    return phase;
  }).join(' · ');
}

function tenantNext(view: TenantDetailsView): string[] {
  const { tenant, rolloutId } = view;
  switch (view.status) {
    case 'waiting-for-action':
      return [`fix the cause, then ${code(commands.retry(tenant, rolloutId))}`, `or give up on it: ${code(commands.skip(tenant, rolloutId))}`];
    case 'failed':
      return [`run the rollout again once the cause is fixed: ${code(commands.start(rolloutId))} (done phases are found, not redone)`];
    case 'running':
    case 'pending':
      return [`nothing; follow the rollout: ${code(commands.watch(rolloutId))}`];
    case 'paused':
      return ['resume the tenant (update tenantResume) or the rollout'];
    case 'succeeded':
      return [`nothing; its sync after reloads: ${code(commands.syncStatus(tenant))}`];
    case 'skipped':
    case 'cancelled':
      return [`nothing; a later run of the rollout picks it up again: ${code(commands.start(rolloutId))}`];
  }
}

export function tenantDetails(view: TenantDetailsView): string {
  const lines = [
    `### Tenant ${view.tenant}: ${TENANT_LABEL[view.status]}`,
    '',
    `Rollout ${code(view.rolloutId)}, wave ${code(view.wave)}; ${view.completedPhases.length}/${view.phases.length} phases done`,
    '',
    `**Phases**: ${phaseLine(view)}`,
  ];
  if (view.reason && view.status !== 'succeeded') {
    const where = view.phase ? ` in phase ${code(view.phase)}${view.attempts && view.attempts > 1 ? ` (attempt ${view.attempts})` : ''}` : '';
    lines.push('', `**${view.status === 'skipped' || view.status === 'cancelled' ? 'Reason' : 'Failure'}**${where}: ${oneLine(view.reason)}`);
  }
  lines.push('', '**Next**', ...tenantNext(view).map((step) => `- ${step}`));
  return lines.join('\n');
}
