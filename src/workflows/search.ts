/**
 * Search attribute upserts that only write when a value changed (each upsert is a history event).
 * Workflow-safe.
 */
import type { SearchAttributePair, SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
import { patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { LEGACY_SEARCH_ATTRIBUTE_NAMES, PhaseKey, RolloutIdKey, StateKey, TenantKey, WaveKey } from '../shared/search-attributes';
import type { TenantWorkflowInput } from './messages';

type KeywordKey = typeof StateKey;

/**
 * Executions started by releases that wrote the legacy names (RolloutId, Status, ...) write every value once more
 * under the new names at their first upsert on new code, so list queries by the new names find them too. Patched:
 * a recorded history replays without it (patched() is false where the history has no marker).
 */
export const RENAMED_SEARCH_ATTRIBUTES_PATCH = 'qr-search-attributes';

const KEYS = new Map<string, KeywordKey>([RolloutIdKey, TenantKey, PhaseKey, StateKey, WaveKey].map((key) => [key.name, key]));

/**
 * Whether the execution started with the legacy attribute names only (set by an older rollout or CLI). A run
 * continued as new from a migrated one carries both (the server copies them) and needs no migration.
 */
export function startedWithLegacyNames(started: TypedSearchAttributes = workflowInfo().typedSearchAttributes): boolean {
  const names = started.getAll().map((pair) => pair.key.name);
  return names.some((name) => name in LEGACY_SEARCH_ATTRIBUTE_NAMES) && !names.some((name) => KEYS.has(name));
}

export class SearchAttributeWriter {
  /** What the execution carries, by new name (a legacy name counts as its new name). */
  private readonly written = new Map<string, string>();
  private legacy: boolean;

  /**
   * `current`: what the workflow carries already (set at its start), so those values are not written again; a
   * legacy name counts as its new name, so replay upserts exactly where the older code did.
   */
  constructor(current?: TypedSearchAttributes, legacy = startedWithLegacyNames()) {
    this.legacy = legacy;
    for (const pair of current?.getAll() ?? []) {
      if (typeof pair.value === 'string') this.written.set(LEGACY_SEARCH_ATTRIBUTE_NAMES[pair.key.name] ?? pair.key.name, pair.value);
    }
  }

  /** Upserts the keys whose value differs from what this run wrote last. */
  set(values: Array<[KeywordKey, string | undefined]>): void {
    const changed = new Map<string, SearchAttributeUpdatePair>();
    for (const [key, value] of values) {
      if (value === undefined || this.written.get(key.name) === value) continue;
      this.written.set(key.name, value);
      changed.set(key.name, { key, value });
    }
    // A legacy execution on new code: every value it carries, once, under the new names. patched() is asked of
    // legacy executions only, at each call until it says yes (never during the replay of an older history).
    if (this.legacy && patched(RENAMED_SEARCH_ATTRIBUTES_PATCH)) {
      this.legacy = false;
      for (const [name, value] of this.written) {
        const key = KEYS.get(name);
        if (key) changed.set(name, { key, value });
      }
    }
    if (changed.size > 0) upsertSearchAttributes([...changed.values()]);
  }
}

/**
 * A rollout starts each tenant with QrRolloutId, QrTenant, QrWave, QrState and QrPhase set (`tenantStartAttributes`),
 * so the first task upserts nothing: each upsert is a history event and a visibility write on the server. A tenant
 * started without a state (by older rollout code, as recorded histories were) upserts them as it always did; the
 * choice rests on the start event alone, so replay is deterministic without a patch marker (whose
 * TemporalChangeVersion upsert would cost the write saved). A tenant started with the legacy names (`Status`, ...)
 * is seeded as well.
 */
export function tenantSearchAttributes(input: TenantWorkflowInput) {
  const started = workflowInfo().typedSearchAttributes;
  const seeded = started.getAll().some((pair) => pair.key.name === StateKey.name || pair.key.name === 'Status');
  const writer = new SearchAttributeWriter(seeded ? started : undefined);
  writer.set([
    [RolloutIdKey, input.rolloutId],
    [TenantKey, input.tenant.name],
    [WaveKey, input.wave],
    // The first phase sets the state in this same task.
    ...(seeded ? [] : [[StateKey, 'pending'] as [KeywordKey, string]]),
  ]);
  return {
    upsert: (status: string, phase?: string) => writer.set([[StateKey, status], [PhaseKey, phase]]),
  };
}

/**
 * What a rollout sets on a tenant workflow at its start: the values its first task would otherwise upsert, with the
 * status and phase the rollout records for it.
 */
export function tenantStartAttributes(rolloutId: string, tenant: string, wave: string, start: { status: string; phase: string }): SearchAttributePair[] {
  return [
    { key: RolloutIdKey, value: rolloutId },
    { key: TenantKey, value: tenant },
    { key: WaveKey, value: wave },
    { key: StateKey, value: start.status },
    { key: PhaseKey, value: start.phase },
  ];
}
