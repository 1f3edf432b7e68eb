/** QRS system rules: the store of distribution policies (resource App_*, action Distribute). */
import { z } from 'zod';
import { qrsEntity, QrsEntityBase } from './entity';

export const SystemRuleSchema = QrsEntityBase.extend({
  name: z.string(),
  category: z.string().nullish(),
  type: z.string().nullish(),
  rule: z.string().nullish().transform((rule) => rule ?? ''),
  resourceFilter: z.string().nullish().transform((filter) => filter ?? ''),
  actions: z.number(),
  disabled: z.boolean().optional().default(false),
  comment: z.string().nullish(),
  createdDate: z.string().optional(),
});
export type SystemRule = z.output<typeof SystemRuleSchema>;

export const systemRules = qrsEntity('systemrule', SystemRuleSchema);
