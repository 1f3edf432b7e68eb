/**
 * Reading a plan file's YAML safely. The yaml library is not built for hostile input: deep nesting overflows its
 * stack, alias chains expand exponentially (billion laughs), its duplicate-key check is quadratic and error-heavy
 * input takes minutes. A plan needs none of that, so the explicit limits in FILE_LIMITS (src/plan/bounds.ts) are
 * checked before parsing (size, bytes, a linear scan of nesting), while parsing (maxAliasCount) and after
 * (depth, duplicate keys, one mapping at the top), each problem with its line where one is known.
 */
import fs from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { FILE_LIMITS } from './bounds';
import { escapeText, showSafe } from './text';

export interface YamlProblem {
  path: (string | number)[];
  message: string;
  line?: number;
  column?: number;
}

const MIB = 1024 * 1024;

/** The line (1-based) of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Reads at most FILE_LIMITS.maxBytes (+1 to notice more) from any readable path, a pipe included, so /dev/zero or a
 * multi-GB file is refused after 2 MiB instead of filling memory. Text must be UTF-8 (a leading BOM is dropped).
 */
export function readPlanFileText(file: string): { text?: string; problems: YamlProblem[] } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problems: [{ path: [], message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? 'unknown error'})` }] };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (fs.fstatSync(fd).isDirectory()) return { problems: [{ path: [], message: 'is a directory, not a plan file' }] };
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(Buffer.from(chunk.subarray(0, read)));
      total += read;
      if (total > FILE_LIMITS.maxBytes) break;
    }
  } catch (err) {
    return { problems: [{ path: [], message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})` }] };
  } finally {
    fs.closeSync(fd);
  }
  const bytes = Buffer.concat(chunks);
  if (total > FILE_LIMITS.maxBytes) {
    const head = bytes.subarray(0, FILE_LIMITS.maxBytes).toString('utf8');
    return {
      problems: [{
        path: [],
        line: lineAt(head, head.length),
        message: `the file is larger than ${FILE_LIMITS.maxBytes / MIB} MiB, the limit for a plan file (it passes the limit at this line); use tenantDefaults to keep tenant entries short`,
      }],
    };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''), problems: [] };
  } catch {
    const lossy = bytes.toString('utf8');
    return { problems: [{ path: [], line: lineAt(lossy, lossy.indexOf('\uFFFD')), message: 'is not UTF-8 text (a binary file?); a plan is YAML or JSON in UTF-8' }] };
  }
}

/**
 * One linear pass before the parser sees the text: flow nesting ([ {), block nesting (indentation, and `- - -`
 * on one line), and the amount of structure (lines and flow indicators), which the parser's time grows with.
 * Quoted scalars and comments are skipped; brackets inside plain scalars count, which at worst refuses a plan with
 * 32 unclosed brackets in names.
 */
export function prescan(text: string): YamlProblem | undefined {
  let line = 1;
  let depth = 0;
  let indicators = 0;
  let quote: string | undefined;
  let comment = false;
  let atIndent = true;
  let indent = 0;
  let previous = '\n'; // last character that is not a blank
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      line++;
      comment = false;
      atIndent = true;
      indent = 0;
      if (!quote) previous = '\n';
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (quote === '"' && ch === '\\') i++;
      else if (ch === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else {
          quote = undefined;
          previous = 'x';
        }
      }
      continue;
    }
    if (atIndent) {
      // Compact nesting (`- - - x`, `? ? x`) nests like indentation does.
      if (ch === ' ' || ((ch === '-' || ch === '?') && text[i + 1] === ' ')) {
        indent += ch === ' ' ? 1 : 2;
        if (ch !== ' ') {
          i++;
          indicators++;
        }
        if (indent > FILE_LIMITS.maxIndent) {
          return { path: [], line, message: `nested too deeply: more than ${FILE_LIMITS.maxIndent} columns of indentation (a plan needs about 14)` };
        }
        continue;
      }
      atIndent = false;
    }
    const before = text[i - 1];
    if (ch === '#' && (before === undefined || before === ' ' || before === '\t' || before === '\n')) comment = true;
    else if ((ch === '"' || ch === "'") && '\n:,[{-?'.includes(previous) && (before === undefined || ' \t\n[{,:'.includes(before))) quote = ch;
    else if (ch === '[' || ch === '{') {
      indicators++;
      if (++depth > FILE_LIMITS.maxDepth) {
        return { path: [], line, message: `nested too deeply: more than ${FILE_LIMITS.maxDepth} levels of [ or { (a plan needs about 5)` };
      }
    } else if (ch === ']' || ch === '}') {
      indicators++;
      if (depth > 0) depth--;
    } else if (ch === ',' || (ch === ':' && (text[i + 1] === ' ' || text[i + 1] === '\n'))) indicators++;
    if (ch !== ' ' && ch !== '\t' && ch !== '\r') previous = ch;
  }
  if (line + indicators > FILE_LIMITS.maxStructure) {
    return {
      path: [],
      line: 1,
      message: `too many entries for a plan: ${line} lines and ${indicators} of [ ] { } , "key:" and "- " (the limit is ${FILE_LIMITS.maxStructure} together; a 10,000-tenant plan has at most 160,000)`,
    };
  }
  return undefined;
}

/** What the top level is, in words, for a plan that is not a mapping. */
function describeNode(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return 'an alias';
  if (isScalar(node)) return typeof node.value === 'string' ? 'a text value' : `a ${node.value === null ? 'null' : typeof node.value} value`;
  return 'not a mapping';
}

/** After parsing: one mapping at the top, nesting within FILE_LIMITS.maxDepth, no key twice in one mapping. */
function checkTree(doc: Document, lineCounter: LineCounter): YamlProblem[] {
  const at = (node: Node | null | undefined) => {
    if (!node?.range) return {};
    const { line, col } = lineCounter.linePos(node.range[0]);
    return { line, column: col };
  };
  if (doc.contents === null) return [{ path: [], line: 1, message: 'the file is empty (or only comments): a plan is a YAML mapping that starts with apiVersion: qlik-rollout/v1' }];
  if (!isMap(doc.contents)) return [{ path: [], ...at(doc.contents), message: `the top level is ${describeNode(doc.contents)}; a plan is a mapping (apiVersion: qlik-rollout/v1, name: ..., source: ...)` }];
  const problems: YamlProblem[] = [];
  const stack: Array<{ node: unknown; depth: number; path: (string | number)[] }> = [{ node: doc.contents, depth: 1, path: [] }];
  while (stack.length > 0 && problems.length < FILE_LIMITS.maxListedErrors) {
    const { node, depth, path } = stack.pop() as (typeof stack)[number];
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > FILE_LIMITS.maxDepth) {
      problems.push({ path, ...at(node), message: `nested too deeply: more than ${FILE_LIMITS.maxDepth} levels (a plan needs about 5)` });
      continue;
    }
    if (isSeq(node)) {
      node.items.forEach((item, index) => stack.push({ node: item, depth: depth + 1, path: [...path, index] }));
      continue;
    }
    const seen = new Map<string, number | undefined>();
    for (const pair of node.items) {
      const keyNode = isScalar(pair.key) ? pair.key : undefined;
      const key = keyNode ? String(keyNode.value) : undefined;
      if (key !== undefined) {
        if (seen.has(key) && problems.length < FILE_LIMITS.maxListedErrors) {
          const first = seen.get(key);
          problems.push({ path: [...path, key], ...at(keyNode), message: `duplicate key ${showSafe(key)}${first ? ` (first at line ${first})` : ''}; a key appears once in a mapping` });
        } else seen.set(key, at(keyNode).line);
      }
      if (isMap(pair.key) || isSeq(pair.key)) stack.push({ node: pair.key, depth: depth + 1, path });
      stack.push({ node: pair.value, depth: depth + 1, path: key === undefined ? path : [...path, key] });
    }
  }
  return problems;
}

/**
 * The document's size with every alias expanded, counted in document order (an alias refers to the last anchor of
 * its name before it), stopping at the limit; or the alias where the limit is passed. checkTree ran first, so the
 * recursion is at most FILE_LIMITS.maxDepth deep.
 */
function aliasExpansion(doc: Document): { size: number; aliases: number; at?: Node; cycle?: Node } {
  const anchors = new Map<string, number>();
  /** Anchors of the collections being counted: an alias to one of them makes a cycle (`&a [1, *a]`). */
  const open = new Set<string>();
  let at: Node | undefined;
  let cycle: Node | undefined;
  let aliases = 0;
  const size = (node: unknown): number => {
    let total = 1;
    const anchor = (isMap(node) || isSeq(node)) && node.anchor && !open.has(node.anchor) ? node.anchor : undefined;
    if (anchor) open.add(anchor);
    if (isAlias(node)) {
      if (++aliases > FILE_LIMITS.maxAliases) at ??= node;
      if (open.has(node.source)) cycle ??= node;
      total = anchors.get(node.source) ?? 1;
      if (total > FILE_LIMITS.maxExpandedNodes) at ??= node;
    } else if (isSeq(node)) {
      for (const item of node.items) if ((total += size(item)) > FILE_LIMITS.maxExpandedNodes) break;
    } else if (isMap(node)) {
      for (const pair of node.items) if ((total += size(pair.key) + size(pair.value)) > FILE_LIMITS.maxExpandedNodes) break;
    }
    if (anchor) open.delete(anchor);
    if ((isMap(node) || isSeq(node) || isScalar(node)) && node.anchor) anchors.set(node.anchor, total);
    return total;
  };
  return { size: size(doc.contents), aliases, ...(at ? { at } : {}), ...(cycle ? { cycle } : {}) };
}

/** The first alias node, or the one named `source`. */
function findAlias(doc: Document, source?: string): Node | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node) && (source === undefined || node.source === source)) return node;
    if (isSeq(node)) stack.push(...[...node.items].reverse());
    else if (isMap(node)) for (const pair of [...node.items].reverse()) stack.push(pair.value, pair.key);
  }
  return undefined;
}

/** Messages for the yaml library's error codes a person can act on; others keep the library's first line. */
function parserMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a second YAML document starts here (---): a plan file holds one document';
  if (code === 'RESOURCE_EXHAUSTION') return `nested too deeply for the YAML parser (a plan needs about 5 levels; the limit is ${FILE_LIMITS.maxDepth})`;
  return `not valid YAML/JSON: ${escapeText(message.split('\n')[0]).slice(0, 200)}`;
}

/** Runs `work` without stack traces on the errors it creates: the parser makes one per problem, and they cost. */
function withoutStackTraces<T>(work: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return work();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Parses plan text within FILE_LIMITS: the document and its plain value, or the problems (with lines). */
export function parsePlanYaml(text: string): { doc?: Document; value?: unknown; lineCounter: LineCounter; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  if (Buffer.byteLength(text, 'utf8') > FILE_LIMITS.maxBytes) {
    return { lineCounter, problems: [{ path: [], line: 1, message: `the plan is larger than ${FILE_LIMITS.maxBytes / MIB} MiB, the limit for a plan file` }] };
  }
  const early = prescan(text);
  if (early) return { lineCounter, problems: [early] };
  // uniqueKeys: false because its check is quadratic in the keys of a mapping; checkTree does it in linear time.
  const doc = withoutStackTraces(() => parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false }));
  if (doc.errors.length > 0) {
    const listed = doc.errors.slice(0, FILE_LIMITS.maxListedErrors).map((err): YamlProblem => {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      return { path: [], line, column: col, message: parserMessage(err.code, err.message) };
    });
    const more = doc.errors.length - listed.length;
    if (more > 0) listed.push({ path: [], message: `and ${more} more YAML errors` });
    return { lineCounter, problems: listed };
  }
  const problems = checkTree(doc, lineCounter);
  if (problems.length > 0) return { doc, lineCounter, problems };
  const expansion = aliasExpansion(doc);
  if (expansion.cycle) {
    const { line, col } = lineCounter.linePos(expansion.cycle.range?.[0] ?? 0);
    const source = isAlias(expansion.cycle) ? expansion.cycle.source : '';
    return { doc, lineCounter, problems: [{ path: [], line, column: col, message: `alias *${escapeText(source).slice(0, 80)} is inside the anchor it names (a cycle); a plan is a tree` }] };
  }
  if (expansion.size > FILE_LIMITS.maxExpandedNodes || expansion.aliases > FILE_LIMITS.maxAliases) {
    const where = (expansion.at ?? findAlias(doc))?.range;
    const { line, col } = lineCounter.linePos(where?.[0] ?? 0);
    const message = expansion.size > FILE_LIMITS.maxExpandedNodes
      ? `aliases (*name) expand to more than ${FILE_LIMITS.maxExpandedNodes.toLocaleString('en-US')} values (as in a "billion laughs" file); a plan needs far fewer`
      : `more than ${FILE_LIMITS.maxAliases.toLocaleString('en-US')} aliases (*name); what every tenant shares belongs in tenantDefaults`;
    return { doc, lineCounter, problems: [{ path: [], line, column: col, message }] };
  }
  try {
    // yaml's own alias heuristic off: aliasExpansion above counted exactly what toJS will build.
    const value = withoutStackTraces(() => doc.toJS({ maxAliasCount: -1 }));
    return { doc, value, lineCounter, problems: [] };
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(message)?.[1];
    const alias = findAlias(doc, unresolved);
    const where = alias?.range ? lineCounter.linePos(alias.range[0]) : undefined;
    const text2 = unresolved !== undefined
        ? `unknown alias *${escapeText(unresolved).slice(0, 80)}: the anchor (&name) must come before the alias`
        : `the YAML could not be read: ${escapeText(message.split('\n')[0]).slice(0, 200)}`;
    return { doc, lineCounter, problems: [{ path: [], ...(where ? { line: where.line, column: where.col } : { line: 1 }), message: text2 }] };
  }
}
