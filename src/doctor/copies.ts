/**
 * A4, A5, A6: how a distributed copy of each plan app shows in the tenant, when one exists. The items list is read
 * twice, with noActions=true (as Qlik's example) and without; copies are the items whose resourceAttributes say
 * published (distributed from client-managed) and whose name is the QSEoW app's.
 */
import { carriesReload } from '../activities/cloud-copies';
import { DEFAULT_DISTRIBUTION } from '../plan/types';
import { AppItemSchema, type AppItem } from '../qlik/cloud/items';
import { listAll } from '../qlik/cloud/pagination';
import type { Transport } from '../qlik/transport';
import type { DoctorContext } from './context';
import { errorEvidence } from './evidence';
import type { PlanAppFacts } from './site';
import { check, type CheckDraft } from './types';

type CopyItem = AppItem;

const isCopy = (item: CopyItem) => item.resourceType === 'app' && item.resourceAttributes?.published === true;
const isStaged = (item: CopyItem) => !(item.spaceId ?? item.resourceAttributes?.spaceId);

interface Pair {
  name: string;
  sourceId: string;
  sourceReload?: string | null;
  copy: CopyItem;
}

function listing(name: string, withNoActions: CopyItem[], without: CopyItem[]): CheckDraft {
  const named = (items: CopyItem[]) => items.filter((item) => isCopy(item) && item.name === name);
  const staged = named(withNoActions).filter(isStaged);
  const stagedPlain = named(without).filter(isStaged);
  const evidence = `"${name}": staged copies listed with noActions=true ${staged.length}, without ${stagedPlain.length}; in a space ${named(withNoActions).length - staged.length}`;
  if (staged.length > 0) return check.holds('A4', evidence, { 'items-staged': stagedPlain.length > 0 ? 'always' : 'noactions-only' });
  if (stagedPlain.length > 0) return check.contradicted('A4', evidence, 'staged copies appear only without noActions=true, which the tool always sends: report it (A4); the first publish phase would wait for them in vain', true);
  return check.unknown('A4', `${evidence}`, 'no staged copy to look at: run doctor after a distribution and before the first publish phase (e.g. between the canary\'s IdP and publish phases)');
}

function identity(pair: Pair): CheckDraft {
  const { copy, sourceId } = pair;
  const origin = copy.resourceAttributes?.originAppId;
  const markers = `published ${String(copy.resourceAttributes?.published)}, ownerId ${copy.resourceAttributes?.ownerId ? 'set' : 'empty'}, space ${isStaged(copy) ? 'none (staged)' : 'set'}`;
  const originText = !origin ? 'originAppId empty' : origin === sourceId ? 'originAppId = the QSEoW app id' : 'originAppId set (another id)';
  const same = copy.resourceId.toLowerCase() === sourceId.toLowerCase();
  return check.holds('A5', `"${pair.name}": copy id ${same ? 'equal to the QSEoW app id' : 'new'}, ${originText}; ${markers}`, { 'copy-id': same ? 'same' : 'new' });
}

function reloadTimeBehaviour(cloudMs: number, sourceMs: number): string {
  const diff = cloudMs - sourceMs;
  if (diff === 0) return 'equal';
  if (cloudMs % 1000 === 0 && cloudMs === Math.floor(sourceMs / 1000) * 1000) return 'seconds';
  return diff < 0 ? 'earlier-ms' : 'later-ms';
}

function reloadTime(ctx: DoctorContext, pair: Pair): CheckDraft {
  const tolerance = (ctx.plan.distribution ?? DEFAULT_DISTRIBUTION).reloadTimeToleranceMs;
  const cloudMs = Date.parse(pair.copy.resourceAttributes?.lastReloadTime ?? '');
  const sourceMs = Date.parse(pair.sourceReload ?? '');
  if (Number.isNaN(cloudMs) || Number.isNaN(sourceMs)) return check.unknown('A6', `"${pair.name}": lastReloadTime missing on ${Number.isNaN(cloudMs) ? 'the copy' : 'QSEoW'}`, 'run doctor again after a reload has been distributed');
  const diff = cloudMs - sourceMs;
  const evidence = `"${pair.name}": copy lastReloadTime ${diff === 0 ? 'equal to' : `${Math.abs(diff)} ms ${diff < 0 ? 'before' : 'after'}`} QSEoW's (tolerance ${tolerance} ms)`;
  const observed = { 'cloud-reload-time': reloadTimeBehaviour(cloudMs, sourceMs) };
  // The sync phase's own test (Assumption A6): a copy carries the reload when it is at most `tolerance` earlier.
  if (!carriesReload({ lastReloadTime: pair.copy.resourceAttributes?.lastReloadTime ?? null }, pair.sourceReload ?? '', tolerance)) {
    return check.contradicted('A6', evidence, `if no reload is on its way to the tenant, set distribution.reloadTimeTolerance above ${-diff}ms in the plan, or the sync phase waits for a reload that has arrived`, true, observed);
  }
  return check.holds('A6', evidence, observed);
}

export async function checkCopies(ctx: DoctorContext, cloud: Transport, apps: PlanAppFacts[]): Promise<CheckDraft[]> {
  let withNoActions: CopyItem[];
  let without: CopyItem[];
  try {
    [withNoActions, without] = await Promise.all([
      listAll(cloud, '/api/v1/items', { resourceType: 'app', noActions: true, limit: 100 }, AppItemSchema),
      listAll(cloud, '/api/v1/items', { resourceType: 'app', limit: 100 }, AppItemSchema),
    ]);
  } catch (err) {
    return (['A4', 'A5', 'A6'] as const).map((id) => check.unknown(id, `GET /api/v1/items: ${errorEvidence(err)}`, 'the API key\'s user needs to list apps (TenantAdmin)'));
  }
  const known = apps.filter((a): a is PlanAppFacts & { app: NonNullable<PlanAppFacts['app']> } => Boolean(a.app));
  const pairs: Pair[] = known.flatMap(({ name, app }) => {
    const copy = [...withNoActions, ...without].find((item) => isCopy(item) && item.name === name);
    return copy ? [{ name, sourceId: app.id, sourceReload: app.lastReloadTime, copy }] : [];
  });
  const a4 = known.map(({ name }) => listing(name, withNoActions, without));
  const first = a4.find((draft) => draft.answer === 'contradicted') ?? a4.find((draft) => draft.answer === 'holds') ?? a4[0];
  const none = (id: 'A5' | 'A6') => check.unknown(id, 'no distributed copy of the plan\'s apps in this tenant yet', 'run doctor again after the first distribution to this tenant');
  return [
    first ? { ...first, evidence: a4.map((draft) => draft.evidence).join('; ') } : check.unknown('A4', 'none of the plan\'s apps exists on QSEoW', 'check the app names in the plan'),
    pairs[0] ? identity(pairs[0]) : none('A5'),
    pairs[0] ? reloadTime(ctx, pairs[0]) : none('A6'),
  ];
}
