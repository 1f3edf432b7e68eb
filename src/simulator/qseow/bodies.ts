/** zod schemas of the QRS request bodies the simulator accepts (fields per the swagger subset). */
import { z } from 'zod';
import { parseJsonBody, type SimRequest } from '../http/types';
import { qrsText } from './guard';

const ref = z.object({ id: z.string() });

export const customPropertyValueInput = z.object({
  id: z.string().optional(),
  value: z.string(),
  definition: z.object({ id: z.string(), name: z.string().optional() }),
});

export const appUpdate = z.object({
  id: z.string().optional(),
  modifiedDate: z.string().optional(),
  name: z.string().min(1).max(255).optional(),
  description: z.string().optional(),
  customProperties: z.array(customPropertyValueInput).optional(),
  tags: z.array(ref).optional(),
});

export const streamCreate = z.object({
  name: z.string().min(1),
  customProperties: z.array(customPropertyValueInput).optional(),
  tags: z.array(ref).optional(),
});

export const customPropertyDefinitionInput = z.object({
  id: z.string().optional(),
  modifiedDate: z.string().optional(),
  name: z.string().min(1),
  valueType: z.string().min(1),
  choiceValues: z.array(z.string()).nullish(),
  objectTypes: z.array(z.string()).nullish(),
  description: z.string().nullish(),
});

export const tagCreate = z.object({ name: z.string().min(1) });

export const systemRuleInput = z.object({
  id: z.string().optional(),
  modifiedDate: z.string().optional(),
  name: z.string().min(1),
  category: z.string().optional(),
  subcategory: z.string().optional(),
  type: z.string().optional(),
  rule: z.string().optional(),
  resourceFilter: z.string().min(1),
  actions: z.number().int(),
  comment: z.string().nullish(),
  disabled: z.boolean().optional(),
  ruleContext: z.number().int().optional(),
  tags: z.array(ref).optional(),
});

export const reloadTaskCreate = z.object({
  task: z.object({
    name: z.string().min(1),
    app: ref,
    enabled: z.boolean().optional(),
    taskSessionTimeout: z.number().int().optional(),
    maxRetries: z.number().int().optional(),
    isManuallyTriggered: z.boolean().optional(),
  }),
});

export function describeZodError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

/** The request's JSON body checked against `schema`; 400 with the reasons otherwise. */
export function readBody<S extends z.ZodType>(req: SimRequest, schema: S): z.infer<S> {
  const parsed = schema.safeParse(parseJsonBody(req, (m) => qrsText(400, m)));
  if (!parsed.success) throw qrsText(400, `Invalid request body: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** POST /qrs/{type}/table (the QMC's list view). */
export const tableRequest = z.object({
  entity: z.string().min(1),
  columns: z.array(z.object({ name: z.string().min(1), columnType: z.string().min(1), definition: z.string().min(1) })).min(1),
});

/** POST /qrs/selection. */
export const selectionCreate = z.object({
  items: z.array(z.object({ type: z.string().min(1), objectID: z.string().min(1) })).min(1),
});

/** PUT /qrs/selection/{id}/{type}/synthetic. */
export const syntheticUpdate = z.object({
  type: z.string().min(1),
  latestModifiedDate: z.string().min(1),
  properties: z.array(z.object({
    name: z.string().min(1),
    value: z.unknown(),
    valueIsModified: z.boolean(),
    valueIsDifferent: z.boolean().optional(),
  })),
});

/** A custom property's change inside a synthetic update (assumed shape, see docs/simulator.md). */
export const syntheticListChange = z.object({ added: z.array(z.string()), removed: z.array(z.string()) });
