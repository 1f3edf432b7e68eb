/**
 * QRS's table view (POST /qrs/{type}/table, what the QMC's lists use): only the columns asked for, as rows.
 * Reads scalar fields of entities whose full shape is too big to fetch per tenant; an app's full entity carries
 * every custom property value with the definition's whole choice list, O(deployments^2) bytes under the OEM pattern.
 */
import { z } from 'zod';
import type { Transport } from '../transport';

const TableSchema = z.looseObject({
  columnNames: z.array(z.string()),
  rows: z.array(z.array(z.unknown())),
});

/** Column name -> property path on the full entity (e.g. `stream: 'stream.name'`). */
export type Columns = Record<string, string>;

/**
 * Rows of `type` matching `filter`, each an object keyed by column name and parsed with `row`.
 * `entity` is the QMC's entity name for the body (e.g. "App").
 */
export async function readTable<S extends z.ZodType>(qrs: Transport, type: string, entity: string, columns: Columns, row: S, filter?: string): Promise<Array<z.output<S>>> {
  const body = { entity, columns: Object.entries(columns).map(([name, definition]) => ({ name, columnType: 'Property', definition })) };
  // Rows become objects inside the schema, so a row of the wrong shape fails like any other bad Qlik body.
  const schema = TableSchema.transform((table): unknown[] => table.rows.map((cells) => Object.fromEntries(table.columnNames.map((name, i) => [name, cells[i]])))).pipe(z.array(row));
  return (await qrs.request({ method: 'POST', route: `/qrs/${type}/table`, query: { filter }, body, schema })).data;
}
