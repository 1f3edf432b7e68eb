/**
 * Finding and placing the distributed copies of a QSEoW app in a tenant, shared by firstPublish and
 * syncAfterReload: the managed space (found by exact name, created if absent) and the copy identity.
 *
 * A distributed copy is recognised the way Qlik's move-distributed-apps example recognises one: an app item with
 * `resourceAttributes.published` true ("distributed from client-managed", @qlik/api NxAttributes) and an empty
 * `originAppId` (set only on apps published inside Qlik Cloud); staged while its `spaceId` is empty. It is matched to
 * its QSEoW app by name (Qlik sends the name with the app, doc HLP-DIST). Anything else is a tie-breaker only:
 * the copy this tool placed before (its id, kept by the workflow), and an id equal to the QSEoW app id
 * (assumption A5). With two candidates the tool cannot tell apart it stops and says why; it never guesses.
 */
import { getCloudApp, spaceOf } from '../qlik/cloud/apps';
import { listIdentityProviders, MULTI_CLOUD_PROTOCOL } from '../qlik/cloud/identity-providers';
import { createSpace, findSpace, type Space } from '../qlik/cloud/spaces';
import { searchAppItems, type AppItem } from '../qlik/cloud/items';
import { configFailure, isHttpStatus } from '../qlik/errors';
import { assumptionMessage } from '../qlik/assumptions';
import type { Transport } from '../qlik/transport';
import { sanitizeForDisplay } from '../shared/display';
import { parseIdpMarker } from './idp-marker';
import type { Change } from './types';

export async function ensureManagedSpace(cloud: Transport, tenantName: string, name: string): Promise<{ space: Space; change: Change }> {
  const existing = await findSpace(cloud, name, 'managed');
  if (existing) return { space: existing, change: 'unchanged' };
  try {
    const space = await createSpace(cloud, name, 'managed', 'Apps distributed from Qlik Sense Enterprise on Windows (qlik-rollout)');
    return { space, change: 'created' };
  } catch (err) {
    if (isHttpStatus(err, 403)) {
      throw configFailure(
        `Tenant ${tenantName}: creating managed space "${name}" was refused (POST /api/v1/spaces answered 403): the tenant's edition has no managed spaces (Trial/Standard/Business) or the API user is not TenantAdmin. Upgrade the tenant or grant the role; distributed apps need a managed space.`,
      );
    }
    if (!isHttpStatus(err, 409)) throw err;
    // Someone else created it between our read and our create.
    const space = await findSpace(cloud, name, 'managed');
    if (!space) throw err;
    return { space, change: 'unchanged' };
  }
}

/** A distributed app in the tenant, as its item shows it. */
export interface DistributedCopy {
  id: string;
  name: string;
  spaceId: string | null;
  lastReloadTime: string | null;
  /** Size in memory as the item reports it (absent when read by id). */
  memoryBytes?: number;
  /** When the app was made in the tenant (absent when read by id). */
  createdAt?: string;
}

export interface CopySearch {
  /** Distributed apps of exactly this name (published true, no originAppId). */
  copies: DistributedCopy[];
  /** Apps of this name that are not distributed copies, with why: evidence for the first real run. */
  others: string[];
}

/** The markers of Qlik's example: "distributed from client-managed" and not published inside Qlik Cloud. */
function isDistributedCopy(attributes: { published?: boolean | null; originAppId?: string | null }): boolean {
  return attributes.published === true && !attributes.originAppId;
}

function toCopy(item: AppItem): DistributedCopy {
  const attributes = item.resourceAttributes ?? {};
  return {
    id: item.resourceId,
    name: item.name,
    spaceId: item.spaceId || attributes.spaceId || null,
    lastReloadTime: attributes.lastReloadTime ?? null,
    ...(typeof item.resourceSize?.appMemory === 'number' ? { memoryBytes: item.resourceSize.appMemory } : {}),
    ...(item.resourceCreatedAt ? { createdAt: item.resourceCreatedAt } : {}),
  };
}

/**
 * Qlik Cloud's app size limit is on the app in memory (5 GB by default, doc KB-BIGAPPS); phase 2 can only check the
 * QVF file size, so the copy's own in-memory size is checked once it is there.
 */
export function memoryWarning(copy: DistributedCopy, limitBytes: number): string | undefined {
  if (copy.memoryBytes === undefined || copy.memoryBytes <= limitBytes) return undefined;
  const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return `"${sanitizeForDisplay(copy.name)}" takes ${gb(copy.memoryBytes)} in memory in the tenant, over limits.maxAppSize (${gb(limitBytes)}): it may not open ("This app is too big to be opened in this space") unless the space has the capacity (Expanded Apps or dedicated capacity)`;
}

/** When the earliest of this tool's multi-cloud IdPs for `deploymentName` was made (undefined: none of ours). */
export async function ourIdpSince(cloud: Transport, deploymentName: string): Promise<string | undefined> {
  const ours = (await listIdentityProviders(cloud))
    .filter((idp) => idp.protocol === MULTI_CLOUD_PROTOCOL && parseIdpMarker(idp.description)?.deployment === deploymentName && idp.created)
    .map((idp) => idp.created!)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return ours[0];
}

/** The tenant's distributed apps named `appName`, by the markers of Qlik's example. */
export async function findDistributedCopies(cloud: Transport, appName: string): Promise<CopySearch> {
  const named = (await searchAppItems(cloud, appName)).filter((item) => item.name === appName && item.resourceType === 'app');
  const copies: DistributedCopy[] = [];
  const others: string[] = [];
  for (const item of named) {
    const attributes = item.resourceAttributes ?? {};
    if (isDistributedCopy(attributes)) copies.push(toCopy(item));
    else others.push(`${item.resourceId} (published=${String(attributes.published ?? 'absent')}, originAppId=${attributes.originAppId ? 'set' : 'empty'}, spaceId=${item.spaceId || attributes.spaceId || 'empty'})`);
  }
  return { copies, others };
}

/**
 * The copy found by an earlier attempt, read directly (one GET instead of a search); undefined when it is gone or
 * no longer looks like a distributed copy of that name.
 */
export async function knownCopy(cloud: Transport, knownId: string, appName: string): Promise<DistributedCopy | undefined> {
  try {
    const app = await getCloudApp(cloud, knownId);
    const { attributes } = app;
    if (!isDistributedCopy(attributes) || attributes.name !== appName) return undefined;
    return { id: attributes.id, name: attributes.name, spaceId: spaceOf(app), lastReloadTime: attributes.lastReloadTime ?? null };
  } catch (err) {
    if (isHttpStatus(err, 404)) return undefined;
    throw err;
  }
}

export interface CopyChoice {
  copy: DistributedCopy;
  /** Other distributed copies of the same name: reported, never deleted unless the plan says so (staged only). */
  duplicates: DistributedCopy[];
}

export interface CopyHints {
  tenant: string;
  sourceAppId: string;
  managedSpaceId: string;
  /** The cloud app this tool found or placed before (heartbeat, first publish result). */
  knownId?: string;
  /**
   * When this deployment's multi-cloud IdP (the earliest of this tool's for it) was made: a staged app made before
   * it cannot have come through this deployment, since the distribution service authenticates with that IdP.
   */
  notStagedBefore?: string;
}

/**
 * Which of the candidates is the copy of the QSEoW app: the one placed before; else the one whose id is the QSEoW
 * id (A5); else the only one in the managed space; else the only staged one that could have come through this
 * deployment (made after its IdP); else the only one anywhere.
 * Several with nothing to tell them apart: a non-retryable failure naming them (a person decides).
 */
export function chooseCopy(copies: DistributedCopy[], hints: CopyHints): CopyChoice | undefined {
  if (copies.length === 0) return undefined;
  const pick = (copy: DistributedCopy): CopyChoice => ({ copy, duplicates: copies.filter((other) => other !== copy) });
  const known = hints.knownId ? copies.find((copy) => copy.id === hints.knownId) : undefined;
  if (known) return pick(known);
  // Assumption A5: a copy may keep the QSEoW app id; when one does, it is the copy.
  const sameId = copies.find((copy) => copy.id.toLowerCase() === hints.sourceAppId.toLowerCase());
  if (sameId) return pick(sameId);
  const eligible = copies.filter((copy) => copy.spaceId || !stagedBefore(copy, hints.notStagedBefore));
  for (const group of [eligible.filter((c) => c.spaceId === hints.managedSpaceId), eligible.filter((c) => !c.spaceId), eligible]) {
    if (group.length === 1) return pick(group[0]);
    if (group.length > 1) throw ambiguous(group, hints);
  }
  return undefined;
}

function stagedBefore(copy: DistributedCopy, notStagedBefore: string | undefined): boolean {
  if (!notStagedBefore || !copy.createdAt) return false;
  const created = Date.parse(copy.createdAt);
  const limit = Date.parse(notStagedBefore);
  return Number.isFinite(created) && Number.isFinite(limit) && created < limit;
}

function ambiguous(group: DistributedCopy[], hints: CopyHints): Error {
  const listed = group.map((copy) => `${copy.id} (${copy.spaceId ? `space ${copy.spaceId}` : 'staged'})`).join(', ');
  return configFailure(
    assumptionMessage(
      'A5',
      `Tenant ${hints.tenant}: ${group.length} distributed apps are named "${sanitizeForDisplay(group[0].name)}" (${listed}) and nothing tells which one is the copy of QSEoW app ${hints.sourceAppId}; qlik-rollout moves or deletes neither. In the tenant's Management Console (Content > Apps) delete the wrong one or put the right one in the managed space, then retry the tenant`,
    ),
  );
}

/**
 * Read-only, for the dry run: what first publish would do with one app's copies, decided by chooseCopy as the
 * phase decides (an ambiguity is the phase's own failure message). `managedSpaceId` is '' while the space does not
 * exist yet.
 */
export function planPlacement(appName: string, search: CopySearch, hints: CopyHints, spaceName: string): { action: 'unchanged' | 'update' | 'wait' | 'problem'; detail: string } {
  let choice: CopyChoice | undefined;
  try {
    choice = chooseCopy(search.copies, hints);
  } catch (err) {
    return { action: 'problem', detail: (err as Error).message };
  }
  const name = `"${sanitizeForDisplay(appName)}"`;
  if (!choice) return { action: 'wait', detail: `wait for ${name} to be distributed, then move it into "${spaceName}"` };
  if (hints.managedSpaceId && choice.copy.spaceId === hints.managedSpaceId) return { action: 'unchanged', detail: `${name} is in "${spaceName}"` };
  return { action: 'update', detail: `move ${choice.copy.spaceId ? 'distributed' : 'staged'} ${name} (${choice.copy.id}) into "${spaceName}"` };
}

/** When a copy is missing: what the tenant does have under that name, so the first real run shows the markers. */
export function missingCopyEvidence(search: CopySearch): string {
  const others = search.others.length > 0 ? ` Apps of that name that are not distributed copies: ${search.others.slice(0, 3).join('; ')}.` : '';
  const older = search.copies.map((copy) => copy.id);
  const staged = older.length > 0
    ? ` Staged apps of that name made before this deployment's IdP, so not sent through it: ${older.slice(0, 3).join(', ')} (left alone; if one is the copy, put it in the managed space).`
    : '';
  return `${others}${staged}`;
}

/** A copy carries a reload when its lastReloadTime is not older than it, within the tolerance (assumption A6). */
export function carriesReload(copy: Pick<DistributedCopy, 'lastReloadTime'>, reloadTime: string, toleranceMs: number): boolean {
  if (!copy.lastReloadTime) return false;
  const copyAt = Date.parse(copy.lastReloadTime);
  const reloadAt = Date.parse(reloadTime);
  return Number.isFinite(copyAt) && Number.isFinite(reloadAt) && copyAt >= reloadAt - toleranceMs;
}
