/**
 * Which tenants a rollout may leave alone because they are migrated already: asked of Temporal (the worker's
 * client, through the activity context), never decided in workflow code. A tenant counts as migrated when its
 * tenant workflow of this rollout finished with QrState "succeeded" (search attribute; or the legacy Status), or when its sync workflow
 * for this QSEoW site is running (a migrated tenant kept in sync, possibly by another plan). Read-only.
 */
import { Context } from '@temporalio/activity';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { RolloutIdKey, StateKey } from '../shared/search-attributes';

export interface MigratedTenantsInput {
  rolloutId: string;
  /** workflowIds.tenant(rolloutId, '') : tenant workflow ids are this prefix plus the tenant name. */
  tenantIdPrefix: string;
  /** workflowIds.sync(source, '') : sync workflow ids of this site are this prefix plus the tenant name. */
  syncIdPrefix: string;
}

export interface MigratedTenantsResult {
  /** Tenant names, sorted; the workflow keeps only those in its plan. */
  tenants: string[];
}

export interface RolloutActivities {
  migratedTenants(input: MigratedTenantsInput): Promise<MigratedTenantsResult>;
}

/** Visibility query literal: single quotes doubled are not supported, so refuse them (plan names never have one). */
function literal(value: string): string {
  if (value.includes("'")) throw new Error(`unexpected quote in ${value}`);
  return `'${value}'`;
}

async function collect(client: Client, query: string, prefix: string, into: Set<string>): Promise<void> {
  let seen = 0;
  for await (const wf of client.workflow.list({ query })) {
    if (wf.workflowId.startsWith(prefix) && wf.workflowId.length > prefix.length) into.add(wf.workflowId.slice(prefix.length));
    // Long lists (thousands of tenants): tell the server this activity is alive.
    if (++seen % 500 === 0) Context.current().heartbeat(seen);
  }
}

/** gRPC INVALID_ARGUMENT (3), as the server answers a query naming an attribute the namespace does not have. */
function isInvalidQuery(err: unknown): boolean {
  const grpc = isGrpcServiceError(err) ? err : isGrpcServiceError((err as { cause?: unknown } | undefined)?.cause) ? (err as { cause: { code: number } }).cause : undefined;
  return grpc?.code === 3;
}

export async function migratedTenants(input: MigratedTenantsInput, client: Client = Context.current().client): Promise<MigratedTenantsResult> {
  const found = new Set<string>();
  await collect(client, `WorkflowType = 'tenantWorkflow' AND ${RolloutIdKey.name} = ${literal(input.rolloutId)} AND ${StateKey.name} = 'succeeded'`, input.tenantIdPrefix, found);
  // Tenants that succeeded before the search attributes were renamed carry only the legacy names. A cluster that
  // registered them answers (`Status` in backticks: unquoted it is the server's ExecutionStatus alias); one that
  // never did rejects the query as invalid, and then no such tenant exists.
  try {
    await collect(client, `WorkflowType = 'tenantWorkflow' AND RolloutId = ${literal(input.rolloutId)} AND \`Status\` = 'succeeded'`, input.tenantIdPrefix, found);
  } catch (err) {
    if (!isInvalidQuery(err)) throw err;
  }
  await collect(client, `WorkflowType = 'tenantSyncWorkflow' AND ExecutionStatus = 'Running'`, input.syncIdPrefix, found);
  return { tenants: [...found].sort() };
}
