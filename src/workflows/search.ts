/**
 * Search attribute upserts that only write when a value changed (each upsert is a history event).
 * Workflow-safe.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import { PhaseKey, RolloutIdKey, StatusKey, TenantKey, WaveKey } from '../shared/search-attributes';
import type { TenantWorkflowInput } from './messages';

type KeywordKey = typeof StatusKey;

export class SearchAttributeWriter {
  private readonly written = new Map<string, string>();

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

export function tenantSearchAttributes(input: TenantWorkflowInput) {
  const writer = new SearchAttributeWriter();
  writer.set([
    [RolloutIdKey, input.rolloutId],
    [TenantKey, input.tenant.name],
    [WaveKey, input.wave],
    [StatusKey, 'pending'],
  ]);
  return {
    upsert: (status: string, phase?: string) => writer.set([[StatusKey, status], [PhaseKey, phase]]),
  };
}
