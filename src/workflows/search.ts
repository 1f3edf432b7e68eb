/**
 * Search attribute upserts that only write when a value changed (each upsert is a history event).
 * Workflow-safe.
 */
import type { SearchAttributePair, SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { PhaseKey, RolloutIdKey, StatusKey, TenantKey, WaveKey } from '../shared/search-attributes';
import type { TenantWorkflowInput } from './messages';

type KeywordKey = typeof StatusKey;

export class SearchAttributeWriter {
  private readonly written = new Map<string, string>();

  /** `current`: what the workflow carries already (set at its start), so those values are not written again. */
  constructor(current?: TypedSearchAttributes) {
    for (const pair of current?.getAll() ?? []) {
      if (typeof pair.value === 'string') this.written.set(pair.key.name, pair.value);
    }
  }

  /** Upserts the keys whose value differs from what this run wrote last. */
  set(values: Array<[KeywordKey, string | undefined]>): void {
    const changed: SearchAttributeUpdatePair[] = [];
    for (const [key, value] of values) {
      if (value === undefined || this.written.get(key.name) === value) continue;
      this.written.set(key.name, value);
      changed.push({ key, value });
    }
    if (changed.length > 0) upsertSearchAttributes(changed);
  }
}

/**
 * A rollout starts each tenant with RolloutId, Tenant, Wave, Status and Phase set (`tenantStartAttributes`), so the
 * first task upserts nothing: each upsert is a history event and a visibility write on the server. A tenant started
 * without Status (by older rollout code, as recorded histories were) upserts them as it always did; the choice rests
 * on the start event alone, so replay is deterministic without a patch marker (whose TemporalChangeVersion upsert
 * would cost the write saved).
 */
export function tenantSearchAttributes(input: TenantWorkflowInput) {
  const started = workflowInfo().typedSearchAttributes;
  const seeded = started.get(StatusKey) !== undefined;
  const writer = new SearchAttributeWriter(seeded ? started : undefined);
  writer.set([
    [RolloutIdKey, input.rolloutId],
    [TenantKey, input.tenant.name],
    [WaveKey, input.wave],
    // The first phase sets Status in this same task.
    ...(seeded ? [] : [[StatusKey, 'pending'] as [KeywordKey, string]]),
  ]);
  return {
    upsert: (status: string, phase?: string) => writer.set([[StatusKey, status], [PhaseKey, phase]]),
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
    { key: StatusKey, value: start.status },
    { key: PhaseKey, value: start.phase },
  ];
}
