/**
 * Strictly increasing timestamps: QRS optimistic concurrency compares modifiedDate values, so two writes in the
 * same millisecond must still get different, ordered dates.
 */
export class MonotonicClock {
  private last = 0;

  nowMs(): number {
    const now = Date.now();
    this.last = now > this.last ? now : this.last + 1;
    return this.last;
  }

  nowIso(): string {
    return new Date(this.nowMs()).toISOString();
  }
}

/** QRS shows "no date" as this value. */
export const QRS_NULL_DATE = '1753-01-01T00:00:00.000Z';
