/**
 * The QRS table view, POST /qrs/{type}/table (doc QRS-SW; the QMC's lists): the chosen columns of the matching
 * entities as rows, sorted and paged. Body `{entity, columns: [{name, columnType, definition}]}`, answer
 * `{id, columnNames, rows}`. Assumed: only "Property" columns (a dotted path to a scalar), 201 as for other POSTs.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { queryParam, type SimRequest } from '../http/types';
import { readBody, tableRequest } from './bodies';
import { qrsText } from './guard';

type Json = Record<string, unknown>;

/** The value at a dotted, case-insensitive path; null where the path ends. */
function valueAt(entity: Json, path: string): unknown {
  let current: unknown = entity;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return null;
    const key = Object.keys(current).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? null : (current as Json)[key];
  }
  return current ?? null;
}

const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
};

function nonNegative(req: SimRequest, name: string): number | undefined {
  const text = queryParam(req, name);
  if (text === null) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw qrsText(400, `Query parameter ${name} must be a non-negative integer, got "${text}"`);
  return n;
}

export type TableRequest = z.infer<typeof tableRequest>;

/** The table request of POST /qrs/{type}/table, checked before any entity is read; 400 on a body we cannot answer. */
export function readTableRequest(type: string, req: SimRequest): TableRequest {
  const body = readBody(req, tableRequest);
  if (body.entity.toLowerCase() !== type) throw qrsText(400, `Table entity "${body.entity}" does not match /qrs/${type}/table`);
  for (const column of body.columns) {
    if (column.columnType.toLowerCase() !== 'property') throw qrsText(400, `Column "${column.name}": columnType "${column.columnType}" is not supported (use Property)`);
    if (/^customproperties(\.|$)/i.test(column.definition)) throw qrsText(400, `Column "${column.name}": "${column.definition}" is a list, not a property`);
  }
  return body;
}

/** The rows of `matches` (full entities, already filtered) for the requested columns, sorted and paged. */
export function tableView(body: TableRequest, req: SimRequest, matches: Json[]): Json {
  let rows = matches.map((entity) => body.columns.map((column) => valueAt(entity, column.definition)));
  const sortColumn = queryParam(req, 'sortColumn');
  if (sortColumn) {
    const index = body.columns.findIndex((column) => column.name.toLowerCase() === sortColumn.toLowerCase());
    if (index < 0) throw qrsText(400, `sortColumn "${sortColumn}" is not one of the columns`);
    const ascending = queryParam(req, 'orderAscending')?.toLowerCase() !== 'false';
    rows = [...rows].sort((a, b) => (ascending ? 1 : -1) * compare(a[index], b[index]));
  }
  const skip = nonNegative(req, 'skip') ?? 0;
  const take = nonNegative(req, 'take');
  rows = rows.slice(skip, take === undefined ? undefined : skip + take);
  return { id: randomUUID(), columnNames: body.columns.map((column) => column.name), rows };
}
