/** QRS streams (the policy stream the apps must be published to). */
import { z } from 'zod';
import { qrsEntity, QrsEntityBase } from './entity';

export const StreamSchema = QrsEntityBase.extend({ name: z.string() });
export type Stream = z.output<typeof StreamSchema>;

export const streams = qrsEntity('stream', StreamSchema);
