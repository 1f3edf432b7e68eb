/** zod schemas of the QRS request bodies the simulator accepts (fields per the swagger subset). */
import { z } from 'zod';

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
