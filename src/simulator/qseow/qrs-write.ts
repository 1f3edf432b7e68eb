/**
 * QRS write routes. PUTs follow the optimistic-concurrency rule (doc QRS-409): the body carries the entity id and the
 * modifiedDate that was read; an older (or missing) modifiedDate answers 409 Conflict. Changes to published apps and
 * to distribution policies go to the distribution engine.
 */
import type { z } from 'zod';
import type { Router } from '../http/router';
import { json, noContent, queryParam, type SimRequest } from '../http/types';
import { compileRule, RuleSyntaxError } from '../distribution/rule';
import { DISTRIBUTE_ACTION } from '../distribution/engine';
import * as bodies from './bodies';
import { readBody } from './bodies';
import type { QseowContext } from './context';
import { actingUser, qrsText } from './guard';
import type { AppRecord, CustomPropertyValueRecord, Stamped, SystemRuleRecord } from './model';
import * as shapes from './shapes';

/** 409 unless the caller read the current version (same id, modifiedDate not older than the stored one). */
function checkVersion(stored: Stamped, urlId: string, body: { id?: string; modifiedDate?: string }, type: string): void {
  if (body.id && body.id.toLowerCase() !== urlId.toLowerCase()) throw qrsText(400, `The ${type} id in the body (${body.id}) does not match the URL (${urlId})`);
  const sent = body.modifiedDate ? Date.parse(body.modifiedDate) : NaN;
  if (Number.isNaN(sent) || sent < Date.parse(stored.modifiedDate)) {
    throw qrsText(409, `Conflict: ${type} ${stored.id} was modified at ${stored.modifiedDate}; the request carried modifiedDate ${body.modifiedDate ?? '(none)'}. Read it again and retry.`);
  }
}

export function newCustomPropertyValue(ctx: QseowContext, req: SimRequest, definitionId: string, value: string): CustomPropertyValueRecord {
  return { ...newStamp(ctx, 'custompropertyvalue', req), value, definitionId };
}

export function touch(ctx: QseowContext, record: Stamped, req: SimRequest): void {
  record.modifiedDate = ctx.clock.nowIso();
  record.modifiedByUserName = actingUser(req);
}

function newStamp(ctx: QseowContext, purpose: string, req: SimRequest): Stamped {
  const now = ctx.clock.nowIso();
  return { id: ctx.ids.guid(purpose), createdDate: now, modifiedDate: now, modifiedByUserName: actingUser(req) };
}

/** Maps posted custom property values onto records, keeping ids of values that did not change. */
function customPropertyValues(ctx: QseowContext, req: SimRequest, current: CustomPropertyValueRecord[], input: z.infer<typeof bodies.customPropertyValueInput>[]): CustomPropertyValueRecord[] {
  const existing = new Map(current.map((c) => [`${c.definitionId}|${c.value}`, c]));
  return input.map((v) => {
    const def = ctx.site.customPropertyDefinitions.get(v.definition.id.toLowerCase());
    if (!def) throw qrsText(400, `Custom property definition ${v.definition.id} does not exist`);
    return existing.get(`${def.id}|${v.value}`) ?? newCustomPropertyValue(ctx, req, def.id, v.value);
  });
}

/** What a PUT can change on an app (cheap: value records are kept by reference when unchanged). */
function appSignature(app: AppRecord): string {
  return JSON.stringify([app.name, app.description, app.tagIds, app.customProperties.map((c) => c.id)]);
}

export function appOr404(ctx: QseowContext, id: string): AppRecord {
  const app = ctx.site.apps.get(id.toLowerCase());
  if (!app) throw qrsText(404, `No app with id ${id}`);
  return app;
}

function validatePolicyRule(rule: string | undefined, actions: number): void {
  if ((actions & DISTRIBUTE_ACTION) === 0) return;
  try {
    compileRule(rule ?? '');
  } catch (err) {
    if (err instanceof RuleSyntaxError) throw qrsText(400, `The rule condition is not valid: ${err.message}`);
    throw err;
  }
}

export function registerQrsWrites(router: Router, ctx: QseowContext): void {
  const { site, engine } = ctx;

  router.on('PUT', '/qrs/app/:id', (req, { id }) => {
    const app = appOr404(ctx, id);
    const body = readBody(req, bodies.appUpdate);
    checkVersion(app, id, body, 'app');
    const before = appSignature(app);
    if (body.name !== undefined) app.name = body.name;
    if (body.description !== undefined) app.description = body.description;
    if (body.customProperties) app.customProperties = customPropertyValues(ctx, req, app.customProperties, body.customProperties);
    if (body.tags) app.tagIds = body.tags.map((t) => t.id.toLowerCase()).filter((t) => site.tags.has(t));
    const changed = appSignature(app) !== before;
    touch(ctx, app, req);
    // Policies are re-evaluated when a published app changes (doc HLP-POL-INTRO23); whether a PUT that changed
    // nothing but modifiedDate counts is assumption A10 (variant touch-triggers).
    engine.onAppChanged(app, changed ? 'metadata' : 'touch');
    return json(200, shapes.appFull(site, app));
  });

  router.on('DELETE', '/qrs/app/:id', (_req, { id }) => {
    site.apps.delete(appOr404(ctx, id).id);
    return noContent;
  });

  router.on('PUT', '/qrs/app/:id/publish', (req, { id }) => {
    const app = appOr404(ctx, id);
    const streamId = queryParam(req, 'stream');
    if (!streamId) throw qrsText(400, 'Query parameter "stream" (the stream id) is required to publish');
    const stream = site.streams.get(streamId.toLowerCase());
    if (!stream) throw qrsText(400, `Stream ${streamId} does not exist`);
    if (app.published) throw qrsText(400, `App "${app.name}" is already published; only unpublished apps can be published`);
    const name = queryParam(req, 'name');
    if (name) app.name = name;
    app.published = true;
    app.streamId = stream.id;
    app.publishTime = ctx.clock.nowIso();
    touch(ctx, app, req);
    engine.onAppChanged(app, 'publish');
    return json(200, shapes.appFull(site, app));
  });

  router.on('POST', '/qrs/app/:id/reload', async (_req, { id }) => {
    await ctx.reloads.reloadNow(appOr404(ctx, id));
    return noContent;
  });

  router.on('POST', '/qrs/stream', (req) => {
    const body = readBody(req, bodies.streamCreate);
    const admin = [...site.users.values()][0];
    const stream = { ...newStamp(ctx, 'stream', req), name: body.name, ownerId: admin?.id ?? '', customProperties: customPropertyValues(ctx, req, [], body.customProperties ?? []), tagIds: [] };
    site.streams.set(stream.id, stream);
    return json(201, shapes.streamFull(site, stream));
  });

  router.on('POST', '/qrs/custompropertydefinition', (req) => {
    const body = readBody(req, bodies.customPropertyDefinitionInput);
    for (const d of site.customPropertyDefinitions.values()) {
      if (d.name.toLowerCase() === body.name.toLowerCase()) throw qrsText(409, `A custom property named "${body.name}" already exists (id ${d.id})`);
    }
    const def = {
      ...newStamp(ctx, 'custompropertydefinition', req), name: body.name, valueType: body.valueType, choiceValues: body.choiceValues ?? [],
      objectTypes: body.objectTypes ?? [], description: body.description ?? '',
    };
    site.customPropertyDefinitions.set(def.id, def);
    return json(201, shapes.customPropertyDefinitionFull(def));
  });

  router.on('PUT', '/qrs/custompropertydefinition/:id', (req, { id }) => {
    const def = site.customPropertyDefinitions.get(id.toLowerCase());
    if (!def) throw qrsText(404, `No custompropertydefinition with id ${id}`);
    const body = readBody(req, bodies.customPropertyDefinitionInput);
    checkVersion(def, id, body, 'custompropertydefinition');
    def.name = body.name;
    def.valueType = body.valueType;
    // Some PUTs reset omitted fields to defaults (doc QRS-409): send the whole entity.
    def.choiceValues = body.choiceValues ?? [];
    def.objectTypes = body.objectTypes ?? [];
    def.description = body.description ?? '';
    touch(ctx, def, req);
    return json(200, shapes.customPropertyDefinitionFull(def));
  });

  router.on('POST', '/qrs/tag', (req) => {
    const body = readBody(req, bodies.tagCreate);
    const tag = { ...newStamp(ctx, 'tag', req), name: body.name };
    site.tags.set(tag.id, tag);
    return json(201, shapes.tagFull(tag));
  });

  // Any category is stored, Sync included: SystemRule.category is a free string in the QRS swagger (38.22), and
  // clients send License | Security | Sync (Informatiqal qlik-repo-api ranges.ts). QRS does not refuse a Distribute
  // rule in the load-balancing category; the distribution service simply does not read it as a policy
  // (distributesWith in ../distribution/rule.ts, assumption A3).
  router.on('POST', '/qrs/systemrule', (req) => {
    const body = readBody(req, bodies.systemRuleInput);
    validatePolicyRule(body.rule, body.actions);
    const rule: SystemRuleRecord = {
      ...newStamp(ctx, 'systemrule', req), name: body.name, category: body.category ?? 'Security', subcategory: body.subcategory ?? '',
      type: body.type ?? 'Custom', rule: body.rule ?? '', resourceFilter: body.resourceFilter, actions: body.actions, comment: body.comment ?? '',
      disabled: body.disabled ?? false, ruleContext: body.ruleContext ?? 0, version: 0, tagIds: [],
    };
    site.systemRules.set(rule.id, rule);
    engine.onPolicyChanged();
    return json(201, shapes.systemRuleFull(site, rule));
  });

  router.on('PUT', '/qrs/systemrule/:id', (req, { id }) => {
    const rule = site.systemRules.get(id.toLowerCase());
    if (!rule) throw qrsText(404, `No systemrule with id ${id}`);
    const body = readBody(req, bodies.systemRuleInput);
    checkVersion(rule, id, body, 'systemrule');
    validatePolicyRule(body.rule, body.actions);
    Object.assign(rule, {
      name: body.name, category: body.category ?? rule.category, subcategory: body.subcategory ?? rule.subcategory, type: body.type ?? rule.type,
      rule: body.rule ?? '', resourceFilter: body.resourceFilter, actions: body.actions, comment: body.comment ?? '',
      disabled: body.disabled ?? false, ruleContext: body.ruleContext ?? rule.ruleContext, version: rule.version + 1,
    });
    touch(ctx, rule, req);
    engine.onPolicyChanged();
    return json(200, shapes.systemRuleFull(site, rule));
  });

  router.on('DELETE', '/qrs/systemrule/:id', (_req, { id }) => {
    if (!site.systemRules.delete(id.toLowerCase())) throw qrsText(404, `No systemrule with id ${id}`);
    return noContent;
  });

  router.on('POST', '/qrs/reloadtask/create', (req) => {
    const body = readBody(req, bodies.reloadTaskCreate);
    const app = appOr404(ctx, body.task.app.id);
    const task = {
      ...newStamp(ctx, 'reloadtask', req), name: body.task.name, appId: app.id, taskType: 0, enabled: body.task.enabled ?? true,
      taskSessionTimeout: body.task.taskSessionTimeout ?? 1440, maxRetries: body.task.maxRetries ?? 0,
      isManuallyTriggered: body.task.isManuallyTriggered ?? false, isPartialReload: false, lastExecutionResultId: null,
    };
    site.reloadTasks.set(task.id, task);
    return json(201, shapes.reloadTaskFull(site, task));
  });

  const startTask = (id: string) => {
    const task = site.reloadTasks.get(id.toLowerCase());
    if (!task) throw qrsText(404, `No task with id ${id}`);
    if (!task.enabled || !site.apps.has(task.appId)) return null;
    return ctx.reloads.start(task);
  };
  router.on('POST', '/qrs/task/:id/start', (_req, { id }) => {
    startTask(id);
    return noContent;
  });
  router.on('POST', '/qrs/task/:id/start/synchronous', (_req, { id }) => {
    // An empty GUID means the task did not start (disabled task, app gone), per doc QRS-TASK.
    const run = startTask(id);
    return json(201, { value: run?.sessionId ?? '00000000-0000-0000-0000-000000000000' });
  });
}
