/** Regenerates schema/plan.schema.json from the zod schema: `npx tsx src/plan/write-json-schema.ts`. */
import fs from 'node:fs';
import path from 'node:path';
import { planJsonSchema } from './schema';

export const JSON_SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'schema', 'plan.schema.json');

export function renderJsonSchema(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  fs.writeFileSync(JSON_SCHEMA_FILE, renderJsonSchema());
  process.stdout.write(`wrote ${JSON_SCHEMA_FILE}\n`);
}
