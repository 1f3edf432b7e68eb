/** QRS custom property definitions: the `Deployments` property whose choice values are the deployment names. */
import { z } from 'zod';
import { qrsEntity, QrsEntityBase } from './entity';

export const CustomPropertyDefinitionSchema = QrsEntityBase.extend({
  name: z.string(),
  valueType: z.string().optional(),
  choiceValues: z.array(z.string()).nullish().transform((values) => values ?? []),
  objectTypes: z.array(z.string()).nullish(),
});
export type CustomPropertyDefinition = z.output<typeof CustomPropertyDefinitionSchema>;

export const customPropertyDefinitions = qrsEntity('custompropertydefinition', CustomPropertyDefinitionSchema);

/** A value of a custom property as it sits on an entity (app, stream...). */
export const CustomPropertyValueSchema = z.looseObject({
  id: z.string().optional(),
  value: z.string(),
  definition: z.looseObject({ id: z.string(), name: z.string().optional() }),
});
export type CustomPropertyValue = z.output<typeof CustomPropertyValueSchema>;
