/** Text rendering of a rollout's progress for people: a bar per wave, counts per phase and status, failures. */
import { PHASES, type RolloutProgress, type TenantStatus, type WaveProgress } from '../workflows/messages';
import type { colours } from './io';

type Colours = ReturnType<typeof colours>;

const DONE: TenantStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];
const BAR_WIDTH = 24;

function total(wave: WaveProgress): number {
  return Object.values(wave.counts).reduce((sum, n) => sum + n, 0);
}

function bar(wave: WaveProgress, c: Colours): string {
  const all = Math.max(total(wave), 1);
  const cells = (n: number) => Math.round((n / all) * BAR_WIDTH);
  const ok = cells(wave.counts.succeeded + wave.counts.skipped);
  const bad = cells(wave.counts.failed + wave.counts.cancelled);
  const busy = Math.min(cells(wave.counts.running + wave.counts['waiting-for-action'] + wave.counts.paused), BAR_WIDTH - ok - bad);
  const rest = Math.max(BAR_WIDTH - ok - bad - busy, 0);
  return `[${c.green('█'.repeat(ok))}${c.red('█'.repeat(bad))}${c.yellow('▒'.repeat(busy))}${c.dim('░'.repeat(rest))}]`;
}

function statusCounts(wave: WaveProgress, c: Colours): string {
  const parts: string[] = [];
  const add = (status: TenantStatus, label: string, paint: (s: string) => string) => {
    if (wave.counts[status] > 0) parts.push(paint(`${label} ${wave.counts[status]}`));
  };
  add('succeeded', 'ok', c.green);
  add('running', 'running', c.yellow);
  add('waiting-for-action', 'needs action', c.red);
  add('paused', 'paused', c.yellow);
  add('failed', 'failed', c.red);
  add('skipped', 'skipped', c.dim);
  add('cancelled', 'cancelled', c.dim);
  return parts.join('  ');
}

const WAVE_LABEL: Record<WaveProgress['status'], string> = {
  pending: 'pending',
  running: 'running',
  soaking: 'soaking',
  'awaiting-approval': 'awaiting approval',
  succeeded: 'done',
  halted: 'halted',
};

export interface ProgressViewOptions {
  uiUrl?: string;
  /** Shown under the waves, e.g. the command that approves the waiting wave. */
  hints?: boolean;
}

export function renderProgress(progress: RolloutProgress, c: Colours, options: ProgressViewOptions = {}): string {
  const lines: string[] = [];
  const statusPaint = progress.status === 'succeeded' ? c.green : ['failed', 'halted', 'aborted'].includes(progress.status) ? c.red : c.yellow;
  lines.push(`${c.bold(`Rollout ${progress.rolloutId}`)}  ${statusPaint(progress.status)}${progress.run > 1 ? c.dim(`  (run ${progress.run})`) : ''}`);
  if (progress.reason) lines.push(`  ${progress.reason}`);
  // A scheduled run (onlyNew) says how many tenants it left alone.
  if (progress.alreadyMigrated) lines.push(c.dim(`  ${progress.alreadyMigrated} tenant(s) already migrated: skipped, not run again`));
  const nameWidth = Math.max(...progress.waves.map((w) => w.name.length), 4);
  for (const wave of progress.waves) {
    const all = total(wave);
    const done = DONE.reduce((sum, s) => sum + wave.counts[s], 0);
    lines.push(
      `  ${wave.name.padEnd(nameWidth)} ${bar(wave, c)} ${`${done}/${all}`.padStart(9)}  ${WAVE_LABEL[wave.status].padEnd(17)} ${statusCounts(wave, c)}`,
    );
  }
  const running = progress.tenants.filter((t) => t.status === 'running');
  if (running.length > 0) {
    const byPhase = PHASES.map((phase) => [phase, running.filter((t) => t.phase === phase).length] as const).filter(([, n]) => n > 0);
    lines.push(`  phases: ${byPhase.map(([phase, n]) => `${phase} ${n}`).join(', ')}`);
  }
  const failures = progress.tenants.filter((t) => ['failed', 'waiting-for-action'].includes(t.status));
  if (failures.length > 0) {
    lines.push(c.red(`  Failures (${failures.length}):`));
    for (const t of failures.slice(0, 10)) {
      lines.push(`    ${t.tenant} [${t.wave}${t.phase ? `, ${t.phase}` : ''}${t.status === 'waiting-for-action' ? ', waiting for retry/skip' : ''}]: ${t.reason ?? 'no reason given'}`);
    }
    if (failures.length > 10) lines.push(`    ... and ${failures.length - 10} more (qlik-rollout status ${progress.rolloutId} --json)`);
  }
  if (options.hints !== false) {
    const waiting = progress.waves.find((w) => w.status === 'awaiting-approval');
    if (waiting) lines.push(c.cyan(`  Wave "${waiting.name}" waits for approval: qlik-rollout approve ${progress.rolloutId} --wave ${waiting.name}`));
  }
  if (options.uiUrl) lines.push(c.dim(`  Web UI: ${options.uiUrl}`));
  return lines.join('\n');
}

export function isFinished(progress: Pick<RolloutProgress, 'status'>): boolean {
  return ['succeeded', 'failed', 'aborted'].includes(progress.status);
}
