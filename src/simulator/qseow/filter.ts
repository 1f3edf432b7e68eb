/**
 * The QRS filter language (doc QRS-FILT): `<property> <op> <value>` joined by and/or, parentheses, `not`.
 * Operators eq ne gt ge lt le sw ew so; strings in single quotes ('' escapes a quote), compared case-insensitively;
 * GUIDs, numbers, true/false/null and bare words (enum names) unquoted; dotted property paths (stream.name,
 * customProperties.value) where an array matches when any element matches. Property names are case-insensitive.
 */

export type Predicate = (entity: unknown) => boolean;

export class FilterSyntaxError extends Error {}

type Op = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sw' | 'ew' | 'so';
const OPS = new Set<Op>(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sw', 'ew', 'so']);
type Literal = string | number | boolean | null;

interface Token {
  kind: 'word' | 'string' | 'lparen' | 'rparen';
  text: string;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c });
      i++;
    } else if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new FilterSyntaxError(`unterminated string in filter: ${input}`);
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += input[i++];
      }
      tokens.push({ kind: 'string', text });
    } else {
      let text = '';
      while (i < input.length && !/[\s()']/.test(input[i])) text += input[i++];
      tokens.push({ kind: 'word', text });
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Predicate {
    const predicate = this.or();
    if (this.pos < this.tokens.length) this.fail(`unexpected '${this.tokens[this.pos].text}'`);
    return predicate;
  }

  private peekWord(): string | undefined {
    const t = this.tokens[this.pos];
    return t?.kind === 'word' ? t.text.toLowerCase() : undefined;
  }

  private or(): Predicate {
    const parts = [this.and()];
    while (this.peekWord() === 'or') {
      this.pos++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0] : (e) => parts.some((p) => p(e));
  }

  private and(): Predicate {
    const parts = [this.unary()];
    while (this.peekWord() === 'and') {
      this.pos++;
      parts.push(this.unary());
    }
    return parts.length === 1 ? parts[0] : (e) => parts.every((p) => p(e));
  }

  private unary(): Predicate {
    if (this.peekWord() === 'not') {
      this.pos++;
      const inner = this.unary();
      return (e) => !inner(e);
    }
    const t = this.tokens[this.pos];
    if (t?.kind === 'lparen') {
      this.pos++;
      const inner = this.or();
      if (this.tokens[this.pos]?.kind !== 'rparen') this.fail('missing )');
      this.pos++;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Predicate {
    const property = this.tokens[this.pos++];
    const opToken = this.tokens[this.pos++];
    const valueToken = this.tokens[this.pos++];
    if (!property || property.kind !== 'word') this.fail('expected a property name');
    if (!opToken || !OPS.has(opToken.text.toLowerCase() as Op)) this.fail(`expected an operator (eq ne gt ge lt le sw ew so) after ${property.text}`);
    if (!valueToken || (valueToken.kind !== 'word' && valueToken.kind !== 'string')) this.fail(`expected a value after ${property.text} ${opToken.text}`);
    const path = property.text.split('.');
    const op = opToken.text.toLowerCase() as Op;
    const literal = valueToken.kind === 'string' ? valueToken.text : parseBare(valueToken.text);
    return (e) => anyAt(e, path, 0, (v) => compare(v, op, literal));
  }

  private fail(message: string): never {
    throw new FilterSyntaxError(`invalid filter "${this.source}": ${message}`);
  }
}

function parseBare(text: string): Literal {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text; // a GUID or an enum name
}

/** The key of `record` named `name`: as written (the usual case, one lookup), else case-insensitively. */
function keyOf(record: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(record, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(record).find((k) => k.toLowerCase() === lower);
}

/**
 * Does any value at the dotted path pass `test`? Arrays fan out (any element may match); a missing last segment
 * reads as null. Stops at the first match: an app carries thousands of custom property values.
 */
function anyAt(node: unknown, path: string[], depth: number, test: (value: unknown) => boolean): boolean {
  if (Array.isArray(node)) return node.some((n) => anyAt(n, path, depth, test));
  if (depth === path.length) return test(node);
  if (node === null || typeof node !== 'object') return false;
  const record = node as Record<string, unknown>;
  const key = keyOf(record, path[depth]);
  if (key === undefined) return depth + 1 === path.length && test(null);
  return anyAt(record[key], path, depth + 1, test);
}

const STATUS_NAMES = ['neverstarted', 'triggered', 'started', 'queued', 'abortinitiated', 'aborting', 'aborted', 'finishedsuccess',
  'finishedfail', 'skipped', 'retry', 'error', 'reset', 'distributionqueue', 'distributionrunning'];

function compare(value: unknown, op: Op, literal: Literal): boolean {
  if (literal === null || value === null || value === undefined) {
    const bothNull = (value === null || value === undefined) && literal === null;
    return op === 'eq' ? bothNull : op === 'ne' ? !bothNull : false;
  }
  if (typeof value === 'number') {
    const n = typeof literal === 'number' ? literal : STATUS_NAMES.indexOf(String(literal).toLowerCase());
    return ordered(value, n, op);
  }
  if (typeof value === 'boolean') {
    const b = typeof literal === 'boolean' ? literal : String(literal).toLowerCase() === 'true';
    return op === 'eq' ? value === b : op === 'ne' ? value !== b : false;
  }
  const left = String(value).toLowerCase();
  const right = String(literal).toLowerCase();
  switch (op) {
    case 'sw':
      return left.startsWith(right);
    case 'ew':
      return left.endsWith(right);
    case 'so':
      return left.includes(right);
    default: {
      const leftDate = dateOf(left);
      const rightDate = leftDate === undefined ? undefined : dateOf(right);
      return leftDate !== undefined && rightDate !== undefined ? ordered(leftDate, rightDate, op) : ordered(left, right, op);
    }
  }
}

function dateOf(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text.includes('t') || text.includes('z') ? text.toUpperCase() : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

function ordered<T extends number | string>(a: T, b: T, op: Op): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    default:
      return false;
  }
}

const cache = new Map<string, Predicate>();

/** Compiles (and caches) a filter; an empty filter matches everything. Throws FilterSyntaxError. */
export function compileFilter(filter: string | null | undefined): Predicate {
  if (!filter || filter.trim() === '') return () => true;
  let predicate = cache.get(filter);
  if (!predicate) {
    predicate = new Parser(tokenize(filter), filter).parse();
    if (cache.size > 2000) cache.clear();
    cache.set(filter, predicate);
  }
  return predicate;
}
