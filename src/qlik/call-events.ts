/**
 * A tiny callback registry fired once per Qlik HTTP call, so the production worker can count calls, errors and
 * 429s per host kind in Prometheus without the clients depending on prom-client.
 */
import type { HostKind } from './errors';

export type CallOutcome = 'ok' | 'client-error' | 'rate-limited' | 'server-error' | 'network-error';

export interface QlikCallEvent {
  kind: HostKind;
  /** Tenant name for cloud calls; absent for QSEoW. */
  tenant?: string;
  method: string;
  /** Route template (ids replaced by {id}), so metric labels stay bounded. */
  route: string;
  /** HTTP status; 0 when no answer came. */
  status: number;
  durationMs: number;
  outcome: CallOutcome;
}

export type QlikCallListener = (event: QlikCallEvent) => void;

const listeners = new Set<QlikCallListener>();

/** Registers a listener; returns a function that removes it. */
export function onQlikCall(listener: QlikCallListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function emitQlikCall(event: QlikCallEvent): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // A metrics bug must never fail a Qlik call.
    }
  }
}

export function outcomeOf(status: number): CallOutcome {
  if (status === 0) return 'network-error';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server-error';
  if (status >= 400) return 'client-error';
  return 'ok';
}
