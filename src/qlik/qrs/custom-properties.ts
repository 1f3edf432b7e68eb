/** QRS custom property definitions: the `Deployments` property whose choice values are the deployment names. */
import { z } from 'zod';
import { qrsEntity, QrsEntityBase } from './entity';
import { readTable } from './table';
import type { Transport } from '../transport';

export const CustomPropertyDefinitionSchema = QrsEntityBase.extend({
  name: z.string(),
  valueType: z.string().optional(),
  choiceValues: z.array(z.string()).nullish().transform((values) => values ?? []),
  objectTypes: z.array(z.string()).nullish(),
});
export type CustomPropertyDefinition = z.output<typeof CustomPropertyDefinitionSchema>;

export const customPropertyDefinitions = qrsEntity('custompropertydefinition', CustomPropertyDefinitionSchema);

const DefinitionRowSchema = z.object({ id: z.string(), name: z.string(), createdDate: z.string().optional() });
export type CustomPropertyDefinitionRow = z.output<typeof DefinitionRowSchema>;

/**
 * Definitions matching `filter`, without their choice lists (table view): under the OEM pattern the list holds one
 * name per deployment, too much to fetch for every tenant just to find the definition's id.
 */
export function findCustomPropertyDefinitions(qrs: Transport, filter: string): Promise<CustomPropertyDefinitionRow[]> {
  return readTable(qrs, 'custompropertydefinition', 'CustomPropertyDefinition', { id: 'id', name: 'name', createdDate: 'createdDate' }, DefinitionRowSchema, filter);
}

/** A value of a custom property as it sits on an entity (app, stream...). */
export const CustomPropertyValueSchema = z.looseObject({
  id: z.string().optional(),
  value: z.string(),
  definition: z.looseObject({ id: z.string(), name: z.string().optional() }),
});
export type CustomPropertyValue = z.output<typeof CustomPropertyValueSchema>;
