/**
 * The rollout's bookkeeping: compact per-tenant records (only tenants that left 'pending'; pending ones are
 * derived from the plan), counts per wave kept up to date incrementally (so a 10,000-tenant wave costs O(1) per
 * event), failure budgets and the progress view. Pure and workflow-safe.
 */
import type { RolloutPlan, TenantEntry } from '../plan/types';
import type {
  RolloutCarriedState,
  RolloutProgress,
  RolloutStatus,
  TenantProgress,
  TenantRecord,
  TenantStatus,
  WaveProgress,
} from './messages';

const STATUSES: TenantStatus[] = ['pending', 'running', 'paused', 'waiting-for-action', 'succeeded', 'failed', 'skipped', 'cancelled'];
/** Statuses whose tenant workflow is still open (a failed tenant waits for retry/skip). */
export const OPEN_STATUSES: TenantStatus[] = ['running', 'paused', 'waiting-for-action', 'failed'];

function emptyCounts(): Record<TenantStatus, number> {
  return Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<TenantStatus, number>;
}

export class RolloutBook {
  private readonly waveOf = new Map<string, number>();
  private readonly entries = new Map<string, TenantEntry>();
  /** Per wave, how many recorded tenants are in each status ('pending' is derived). */
  private readonly counts: Array<Record<TenantStatus, number>>;
  private final?: { status: RolloutStatus; reason?: string };
  /** Tenants recorded as failed, oldest first: the Web UI's details list them without scanning every record. */
  private readonly failing = new Set<string>();

  constructor(
    private readonly rolloutId: string,
    private readonly plan: RolloutPlan,
    readonly state: RolloutCarriedState,
  ) {
    plan.tenants.forEach((entry) => this.entries.set(entry.name, entry));
    plan.waves.forEach((wave, index) => wave.tenants.forEach((tenant) => this.waveOf.set(tenant, index)));
    this.counts = plan.waves.map(() => emptyCounts());
    for (const [tenant, record] of Object.entries(state.records)) {
      this.count(tenant, record.status, 1);
      if (record.status === 'failed') this.failing.add(tenant);
    }
  }

  currentWave() {
    return this.plan.waves[this.state.waveIndex];
  }

  /**
   * The plan the next run needs: only tenants not yet started keep their entries (a started tenant's workflow has its
   * own copy; retries and skips address it by id). At 10,000 tenants the entries are ~1.6 MB, carried by every
   * continue-as-new and replayed whenever a busy rollout's task is retried.
   */
  planForNextRun(): RolloutPlan {
    return { ...this.plan, tenants: this.plan.tenants.filter((entry) => !this.state.records[entry.name]) };
  }

  statusOf(tenant: string): TenantStatus {
    return this.state.records[tenant]?.status ?? 'pending';
  }

  tenantEntry(tenant: string): TenantEntry {
    const entry = this.entries.get(tenant);
    if (!entry) throw new Error(`Wave lists tenant ${tenant}, which the plan's tenants do not define`);
    return entry;
  }

  record(tenant: string, record: TenantRecord): void {
    const previous = this.state.records[tenant];
    if (previous) this.count(tenant, previous.status, -1);
    // Compact: no undefined fields, so carried state and progress stay small.
    const compact: TenantRecord = { status: record.status };
    // A succeeded tenant's phase says nothing new (all of them ran): dropping it saves ~15 bytes per tenant.
    if (record.phase && record.status !== 'succeeded') compact.phase = record.phase;
    if (record.reason) compact.reason = record.reason;
    if (record.attempts && record.attempts > 1) compact.attempts = record.attempts;
    this.state.records[tenant] = compact;
    this.count(tenant, record.status, 1);
    if (record.status === 'failed') this.failing.add(tenant);
    else this.failing.delete(tenant);
  }

  /** The first `limit` failed tenants (oldest failure first) and how many there are. */
  failures(limit: number): { tenants: TenantProgress[]; count: number } {
    const tenants: TenantProgress[] = [];
    for (const tenant of this.failing) {
      if (tenants.length >= limit) break;
      tenants.push(this.tenantProgress(tenant));
    }
    return { tenants, count: this.failing.size };
  }

  private count(tenant: string, status: TenantStatus, delta: number): void {
    const wave = this.waveOf.get(tenant);
    if (wave !== undefined) this.counts[wave][status] += delta;
  }

  private peekNextIndex(): number | undefined {
    const wave = this.currentWave();
    if (!wave) return undefined;
    for (let i = this.state.nextTenantIndex; i < wave.tenants.length; i++) {
      if (!this.state.records[wave.tenants[i]]) return i;
    }
    return undefined;
  }

  canStartNext(): boolean {
    const wave = this.currentWave();
    if (!wave || this.state.paused || this.state.halted || this.state.stage !== 'running') return false;
    return this.counts[this.state.waveIndex].running < wave.concurrency && this.peekNextIndex() !== undefined;
  }

  takeNextTenant(): string | undefined {
    const index = this.peekNextIndex();
    if (index === undefined) return undefined;
    this.state.nextTenantIndex = index + 1;
    return this.currentWave().tenants[index];
  }

  /** Every tenant of the current wave has started and none is still running, and no budget halts us. */
  waveDone(): boolean {
    return !this.state.halted && this.peekNextIndex() === undefined && this.counts[this.state.waveIndex].running === 0;
  }

  nextWave(): void {
    Object.assign(this.state, { waveIndex: this.state.waveIndex + 1, nextTenantIndex: 0, stage: 'running', soakUntil: undefined });
  }

  /** Why the rollout must halt, or undefined while failures are within the wave and overall budgets. */
  budgetSpent(): string | undefined {
    for (let i = 0; i <= Math.min(this.state.waveIndex, this.plan.waves.length - 1); i++) {
      const wave = this.plan.waves[i];
      const failed = this.counts[i].failed;
      if (failed > wave.failureBudget) return `failure budget of wave "${wave.name}" spent: ${failed} failed > ${wave.failureBudget} allowed`;
    }
    const total = this.counts.reduce((sum, c) => sum + c.failed, 0);
    if (total > this.plan.failureBudget) return `overall failure budget spent: ${total} failed > ${this.plan.failureBudget} allowed`;
    return undefined;
  }

  checkBudgets(): void {
    if (!this.state.halted) this.state.halted = this.budgetSpent();
  }

  assertStatus(tenant: string, allowed: TenantStatus[], action: string): void {
    if (!this.waveOf.has(tenant)) throw new Error(`Rollout ${this.rolloutId} has no tenant ${tenant}`);
    const status = this.statusOf(tenant);
    if (!allowed.includes(status)) throw new Error(`Cannot ${action} tenant ${tenant}: it is ${status} (only ${allowed.join(' or ')})`);
  }

  /** Tenants whose workflow is still open (running, or failed and waiting for retry/skip). */
  openTenants(): string[] {
    return Object.entries(this.state.records).filter(([, r]) => OPEN_STATUSES.includes(r.status)).map(([t]) => t);
  }

  finish(aborted: boolean, abortReason?: string): void {
    if (aborted) { this.final = { status: 'aborted', reason: abortReason }; return; }
    const failed = Object.entries(this.state.records).filter(([, r]) => r.status === 'failed').map(([t]) => t);
    this.final = failed.length === 0
      ? { status: 'succeeded' }
      : { status: 'failed', reason: `${failed.length} tenant(s) failed within budget: ${failed.slice(0, 20).join(', ')}; their workflows accept tenantRetry/tenantSkip until they time out` };
  }

  status(aborting: boolean): RolloutStatus {
    if (this.final) return this.final.status;
    if (aborting) return 'aborting';
    if (this.state.halted) return 'halted';
    if (this.state.paused) return 'paused';
    if (this.state.stage === 'awaiting-approval') return 'awaiting-approval';
    return 'running';
  }

  tenantProgress(tenant: string): TenantProgress {
    const wave = this.plan.waves[this.waveOf.get(tenant) ?? 0]?.name ?? '';
    return { tenant, wave, ...(this.state.records[tenant] ?? { status: 'pending' }) };
  }

  progress(aborting: boolean, includePending: boolean, abortReason?: string, opts: { finalOnly?: boolean } = {}): RolloutProgress {
    const status = this.status(aborting);
    const waves = this.waves(status);
    const tenants: TenantProgress[] = [];
    for (const wave of this.plan.waves) {
      for (const tenant of wave.tenants) {
        const record = this.state.records[tenant];
        if (!record && !includePending) continue;
        // The final result lists only the exceptions; counts per wave give the totals.
        if (opts.finalOnly && record?.status === 'succeeded') continue;
        tenants.push({ tenant, wave: wave.name, ...(record ?? { status: 'pending' }) });
      }
    }
    const reason = this.reason(aborting, abortReason);
    return { rolloutId: this.rolloutId, status, reason, currentWave: this.currentWave()?.name, waves, tenants, run: this.state.run };
  }

  /** Counts per wave, O(waves): what the progress query and the Web UI's details show. */
  waves(status: RolloutStatus): WaveProgress[] {
    return this.plan.waves.map((wave, index) => {
      const counts = { ...this.counts[index] };
      counts.pending = wave.tenants.length - STATUSES.reduce((sum, s) => sum + (s === 'pending' ? 0 : counts[s]), 0);
      return { name: wave.name, status: this.waveStatus(index, status), counts, failureBudget: wave.failureBudget };
    });
  }

  /** Why the rollout is where it is: its final reason, the abort reason, the spent budget or the pause reason. */
  reason(aborting: boolean, abortReason?: string): string | undefined {
    return this.final?.reason ?? (aborting ? abortReason : undefined) ?? this.state.halted ?? this.state.pauseReason;
  }

  private waveStatus(index: number, status: RolloutStatus): WaveProgress['status'] {
    if (index < this.state.waveIndex) return 'succeeded';
    if (index > this.state.waveIndex) return 'pending';
    if (status === 'halted') return 'halted';
    if (this.state.stage === 'soaking') return 'soaking';
    if (this.state.stage === 'awaiting-approval') return 'awaiting-approval';
    return 'running';
  }
}
