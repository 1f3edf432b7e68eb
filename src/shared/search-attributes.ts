import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so the Temporal Web UI can filter rollouts and tenants
 * (e.g. `RolloutId = "spring" AND Status = "failed"`). Safe to import from workflow code.
 */
export const RolloutIdKey = defineSearchAttributeKey('RolloutId', SearchAttributeType.KEYWORD);
export const TenantKey = defineSearchAttributeKey('Tenant', SearchAttributeType.KEYWORD);
export const PhaseKey = defineSearchAttributeKey('Phase', SearchAttributeType.KEYWORD);
export const StatusKey = defineSearchAttributeKey('Status', SearchAttributeType.KEYWORD);
export const WaveKey = defineSearchAttributeKey('Wave', SearchAttributeType.KEYWORD);

/** Name -> CLI type, as `temporal server start-dev --search-attribute` and `operator search-attribute create` take them. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Text' | 'Int'> = {
  RolloutId: 'Keyword',
  Tenant: 'Keyword',
  Phase: 'Keyword',
  Status: 'Keyword',
  Wave: 'Keyword',
};
