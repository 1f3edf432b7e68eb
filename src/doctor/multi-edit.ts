/**
 * A2: the key under which the synthetic multi-edit root names the plan's custom property ("@<name>" or
 * "@<definition id>"). Reading it takes a selection: POST /qrs/selection makes an in-memory scratch list of app
 * ids that changes no entity, bumps no modifiedDate and starts no distribution (the QMC makes one whenever a
 * person ticks apps in a list), so the doctor counts it as read-only and deletes it afterwards. `--no-selection`
 * skips the check.
 */
import { z } from 'zod';
import { quote } from '../qlik/qrs/client';
import { findCustomPropertyDefinitions } from '../qlik/qrs/custom-properties';
import type { Transport } from '../qlik/transport';
import type { DoctorContext } from './context';
import { errorEvidence } from './evidence';
import type { PlanAppFacts } from './site';
import { check, type CheckDraft } from './types';

const SyntheticSchema = z.looseObject({ properties: z.array(z.looseObject({ name: z.string() })).nullish() });

async function syntheticKeys(qrs: Transport, appId: string): Promise<string[]> {
  const body = { items: [{ type: 'App', objectID: appId }] };
  const { id } = (await qrs.request({ method: 'POST', route: '/qrs/selection', body, schema: z.looseObject({ id: z.string() }) })).data;
  try {
    const root = await qrs.request({ method: 'GET', route: '/qrs/selection/{id}/app/synthetic', params: { id }, schema: SyntheticSchema });
    return (root.data.properties ?? []).map((p) => p.name);
  } finally {
    await qrs.call({ method: 'DELETE', route: '/qrs/selection/{id}', params: { id } }).catch(() => undefined);
  }
}

export async function checkMultiEditKey(ctx: DoctorContext, qrs: Transport, apps: PlanAppFacts[]): Promise<CheckDraft> {
  if (ctx.options.selection === false) return check.unknown('A2', 'skipped (--no-selection)', 'run without --no-selection to read the key; the first policy phase reads it too');
  const property = ctx.plan.policy.customProperty;
  const app = apps.find((a) => a.app)?.app;
  try {
    const definition = (await findCustomPropertyDefinitions(qrs, `name eq ${quote(property)}`)).find((d) => d.name === property);
    if (!definition) return check.unknown('A2', `custom property ${property} does not exist yet`, 'the first policy phase creates it; run doctor again after the canary tenant');
    if (!app) return check.unknown('A2', 'none of the plan\'s apps exists on QSEoW', 'check the app names in the plan');
    const keys = (await syntheticKeys(qrs, app.id)).filter((key) => key.startsWith('@'));
    const evidence = `synthetic root of "${app.name}": ${keys.length} custom propert${keys.length === 1 ? 'y' : 'ies'}`;
    if (keys.includes(`@${definition.name}`)) return check.holds('A2', `${evidence}, ${property} as "@<name>"`, { 'multiedit-key': 'name' });
    if (keys.some((key) => key.toLowerCase() === `@${definition.id}`.toLowerCase())) return check.holds('A2', `${evidence}, ${property} as "@<definition id>"`, { 'multiedit-key': 'id' });
    return check.contradicted('A2', `${evidence}, none named "@${property}" or "@${definition.id}"`, 'the tool cannot add values by multi-edit on this site: report the synthetic root\'s property names (A2)', true);
  } catch (err) {
    return check.unknown('A2', errorEvidence(err), 'the QRS user needs to create selections (as the QMC does) for the policy phase');
  }
}
