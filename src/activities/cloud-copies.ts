/**
 * Finding and placing the distributed copies of a QSEoW app in a tenant, shared by firstPublish and
 * syncAfterReload: the managed space (found by exact name, created if absent), the copies (items by name, then
 * the app whose originAppId is the QSEoW app), and which copy counts when there are several.
 */
import { getCloudApp, spaceOf, type CloudApp } from '../qlik/cloud/apps';
import { findAppItems } from '../qlik/cloud/items';
import { createSpace, findSpace, type Space } from '../qlik/cloud/spaces';
import { configFailure, isHttpStatus } from '../qlik/errors';
import type { Transport } from '../qlik/transport';
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

/** The tenant's copies of the QSEoW app `sourceAppId` (distributed apps carry it as originAppId). */
export async function findCopies(cloud: Transport, appName: string, sourceAppId: string): Promise<CloudApp[]> {
  const items = await findAppItems(cloud, appName);
  const apps = await Promise.all(items.map((item) => getCloudApp(cloud, item.resourceId)));
  return apps.filter((app) => app.attributes.originAppId === sourceAppId);
}

/** The copy that counts: the one already in the managed space, else the one most recently reloaded. */
export function primaryCopy(copies: CloudApp[], spaceId: string): CloudApp | undefined {
  return (
    copies.find((app) => spaceOf(app) === spaceId) ??
    [...copies].sort((a, b) => String(b.attributes.lastReloadTime ?? '').localeCompare(String(a.attributes.lastReloadTime ?? '')))[0]
  );
}
