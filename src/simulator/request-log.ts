import type { SimRequestLogEntry } from './api';

/** Every answered request, in order. Capped so a long benchmark cannot grow it without bound. */
export class RequestLog {
  private entries: SimRequestLogEntry[] = [];

  constructor(private readonly cap = 1_000_000) {}

  add(entry: SimRequestLogEntry): void {
    if (this.entries.length >= this.cap) this.entries.splice(0, Math.ceil(this.cap / 10));
    this.entries.push(entry);
  }

  all(): SimRequestLogEntry[] {
    return this.entries.slice();
  }

  clear(): void {
    this.entries = [];
  }
}
