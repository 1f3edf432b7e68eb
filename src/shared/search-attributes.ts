import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so the Temporal Web UI can filter rollouts and tenants
 * (e.g. `QrRolloutId = "spring" AND QrState = "failed"`). Safe to import from workflow code.
 *
 * Why the `Qr` prefix (qlik-rollout): a custom attribute named like one of the Web UI's own columns takes that
 * column's place; the former `Status` hid the execution status (Running, Completed) of every workflow in the list.
 * Prefixed names cannot collide with Temporal's built-in attributes (ExecutionStatus, WorkflowType, ...) or SQL
 * keywords, so queries need no backticks. test/workflows/web-ui.test.ts checks the server's system attributes.
 */
export const RolloutIdKey = defineSearchAttributeKey('QrRolloutId', SearchAttributeType.KEYWORD);
export const TenantKey = defineSearchAttributeKey('QrTenant', SearchAttributeType.KEYWORD);
export const PhaseKey = defineSearchAttributeKey('QrPhase', SearchAttributeType.KEYWORD);
/** The rollout's or tenant's own state (running, waiting-for-action, succeeded, ...), not the execution status. */
export const StateKey = defineSearchAttributeKey('QrState', SearchAttributeType.KEYWORD);
export const WaveKey = defineSearchAttributeKey('QrWave', SearchAttributeType.KEYWORD);

/** Name -> CLI type, as `temporal server start-dev --search-attribute` and `operator search-attribute create` take them. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Text' | 'Int'> = {
  [RolloutIdKey.name]: 'Keyword',
  [TenantKey.name]: 'Keyword',
  [PhaseKey.name]: 'Keyword',
  [StateKey.name]: 'Keyword',
  [WaveKey.name]: 'Keyword',
};

/**
 * The names releases before the rename wrote (old executions keep them; clusters that registered them keep them).
 * Workflow code reads them only to replay and migrate executions started by older code (src/workflows/search.ts);
 * nothing registers or writes them any more.
 */
export const LEGACY_SEARCH_ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  RolloutId: RolloutIdKey.name,
  Tenant: TenantKey.name,
  Phase: PhaseKey.name,
  Status: StateKey.name,
  Wave: WaveKey.name,
};
