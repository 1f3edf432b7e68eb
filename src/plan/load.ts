/**
 * Reads a plan file (YAML or JSON; JSON is parsed as YAML so both get line numbers), validates it and returns
 * the RolloutPlan. Every problem is reported at once, each with file, path, line and what was expected; what a
 * message echoes from the plan is escaped and cut (src/plan/text.ts), secrets are described, never shown, and the
 * YAML is read within explicit limits (src/plan/read-yaml.ts).
 */
import path from 'node:path';
import { isNode, LineCounter, type Document } from 'yaml';
import type { z } from 'zod';
import type { CloudAuth, ManagedSpaceEntry, QrsAuth, RolloutPlan } from './types';
import { PlanFileSchema, toRolloutPlan, type PlanIssue } from './schema';
import { FILE_LIMITS } from './bounds';
import { parsePlanYaml, readPlanFileText } from './read-yaml';
import { escapeText, hasUnsafeChars, hasUrlCredentials, secretKind, show, showSafe } from './text';

export interface LocatedPlanIssue extends PlanIssue {
  /** e.g. tenants[3].url */
  pathText: string;
  line?: number;
  column?: number;
}

/** Problems listed in a PlanError's message (all of them stay in `issues`, e.g. for --json). */
const MAX_LISTED_ISSUES = 50;
/** Longest message of one issue, in characters. */
const MAX_MESSAGE_CHARS = 600;

/** An issue as it may reach a terminal: escaped (no control characters, ESC or bidi overrides) and cut. */
function safeIssue(issue: LocatedPlanIssue): LocatedPlanIssue {
  const message = escapeText(issue.message);
  return { ...issue, pathText: escapeText(issue.pathText), message: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}...` : message };
}

export class PlanError extends Error {
  readonly issues: LocatedPlanIssue[];

  constructor(
    readonly file: string,
    issues: LocatedPlanIssue[],
  ) {
    const safe = issues.map(safeIssue);
    const listed = safe.slice(0, MAX_LISTED_ISSUES).map((i) => `  ${i.line ? `line ${i.line}: ` : ''}${i.pathText || '(top level)'}: ${i.message}`);
    if (safe.length > MAX_LISTED_ISSUES) listed.push(`  ... and ${safe.length - MAX_LISTED_ISSUES} more (--json lists them all)`);
    super(`${escapeText(file)}: the plan is invalid (${safe.length} problem${safe.length === 1 ? '' : 's'}):\n${listed.join('\n')}`);
    this.issues = safe;
    this.name = 'PlanError';
  }
}

/** tenants[3].url; keys from the plan are escaped and cut, and never shown when they look like a secret. */
export function formatPath(issuePath: PlanIssue['path']): string {
  return issuePath.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const shown = /^[A-Za-z0-9_$-]{1,64}$/.test(key) ? key : showSafe(key);
    return text ? `${text}.${shown}` : shown;
  }, '');
}

/** The line of the deepest node that exists on the issue's path (a missing key points at its parent). */
function locate(doc: Document | undefined, lineCounter: LineCounter, issuePath: PlanIssue['path']): { line?: number; column?: number } {
  if (!doc) return {};
  for (let depth = issuePath.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(issuePath.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return {};
}

/** `file:` references relative to the plan file become absolute, so the worker can run from anywhere. */
function absoluteRef(ref: string, baseDir: string): string {
  if (!ref.startsWith('file:')) return ref;
  const filePath = ref.slice('file:'.length);
  return path.isAbsolute(filePath) ? ref : `file:${path.resolve(baseDir, filePath)}`;
}

function absoluteCloudAuth(auth: CloudAuth, baseDir: string): CloudAuth {
  return auth.type === 'apiKey'
    ? { ...auth, key: absoluteRef(auth.key, baseDir) }
    : { ...auth, clientSecret: absoluteRef(auth.clientSecret, baseDir) };
}

function absoluteQrsAuth(auth: QrsAuth, baseDir: string): QrsAuth {
  if (auth.type === 'jwt') return { ...auth, token: absoluteRef(auth.token, baseDir) };
  const optional = (ref?: string) => (ref === undefined ? undefined : absoluteRef(ref, baseDir));
  return {
    ...auth,
    cert: absoluteRef(auth.cert, baseDir),
    key: absoluteRef(auth.key, baseDir),
    ...(auth.ca ? { ca: optional(auth.ca) } : {}),
    ...(auth.passphrase ? { passphrase: optional(auth.passphrase) } : {}),
  };
}

/** The managed space's verification identity is a secret reference like the others. */
function absoluteVerifyAs<T extends { managedSpaceAccess?: ManagedSpaceEntry }>(entry: T, baseDir: string): T {
  const verifyAs = entry.managedSpaceAccess?.verifyAs;
  return verifyAs ? { ...entry, managedSpaceAccess: { ...entry.managedSpaceAccess, verifyAs: absoluteRef(verifyAs, baseDir) } } : entry;
}

function withAbsoluteRefs(plan: RolloutPlan, baseDir: string): RolloutPlan {
  const defaults = plan.tenantDefaults;
  return {
    ...plan,
    source: {
      ...plan.source,
      auth: absoluteQrsAuth(plan.source.auth, baseDir),
      ...(plan.source.deploymentsAuth ? { deploymentsAuth: { ...plan.source.deploymentsAuth, token: absoluteRef(plan.source.deploymentsAuth.token, baseDir) } } : {}),
    },
    tenantDefaults: absoluteVerifyAs({ ...defaults, ...(defaults.auth ? { auth: absoluteCloudAuth(defaults.auth, baseDir) } : {}) }, baseDir),
    tenants: plan.tenants.map((t) => absoluteVerifyAs(t.auth ? { ...t, auth: absoluteCloudAuth(t.auth, baseDir) } : t, baseDir)),
  };
}

function toPlanIssues(issue: z.core.$ZodIssue): PlanIssue[] {
  const issuePath = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  // One issue per unknown key, pointing at the key itself: usually a typo a person should see at its line.
  // A value of one option's type (an object where a name or an object is allowed) gets that option's own problems,
  // at their own lines, instead of "Invalid input" on the whole value.
  if (issue.code === 'invalid_union') {
    const matching = issue.errors.filter((branch) => !branch.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
    if (matching.length === 1) return matching[0].flatMap((inner) => toPlanIssues({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue));
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...issuePath, key], message: `unknown field ${showSafe(key)} (check the spelling; the fields are listed in schema/plan.schema.json)` }));
  }
  if (issue.code === 'too_big' || issue.code === 'too_small') return [{ path: issuePath, message: boundMessage(issue) }];
  if (issue.code === 'invalid_type' && issue.expected === 'int') return [{ path: issuePath, message: 'expected a whole number' }];
  return [{ path: issuePath, message: issue.message }];
}

/** "expected at most 1000" with the unit of what is counted, pointing at where the bounds are listed. */
function boundMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
  if (issue.code === 'too_small' && limit === 1 && issue.origin === 'string') return 'must not be empty';
  if (issue.code === 'too_small' && limit === 1 && issue.origin === 'array') return 'needs at least one entry';
  const unit = issue.origin === 'array' ? ' entries' : issue.origin === 'string' ? ' characters' : '';
  const side = issue.code === 'too_big' ? 'at most' : 'at least';
  return `expected ${side} ${limit.toLocaleString('en-US')}${unit} (the plan's bounds: schema/plan.schema.json, README "Plan bounds")`;
}

/**
 * Text no field may hold, anywhere in the plan: a secret (a URL with credentials, a value that looks like a JWT or
 * a PEM key; said by kind and place, never shown, as the secret fields' own check does) and control or invisible
 * characters (ESC sequences, bidi overrides; shown escaped), which no Qlik name or URL needs.
 */
function textProblems(value: unknown): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const stack: Array<{ node: unknown; path: PlanIssue['path'] }> = [{ node: value, path: [] }];
  const seen = new Set<object>(); // an object built in memory may share or even contain itself
  while (stack.length > 0) {
    const { node, path: nodePath } = stack.pop() as (typeof stack)[number];
    if (node && typeof node === 'object') {
      if (seen.has(node)) continue;
      seen.add(node);
    }
    if (typeof node === 'string') {
      const kind = secretKind(node);
      if (kind) issues.push({ path: nodePath, message: `holds ${kind}; the value is not shown. A plan never holds secrets: put it in an environment variable or a file and write env:VAR_NAME or file:/path in the auth field` });
      else if (hasUrlCredentials(node)) issues.push({ path: nodePath, message: 'holds a URL with credentials (user:password@host); the value is not shown. A plan never holds secrets: remove them, credentials belong in auth as env:VAR_NAME or file:/path' });
      else if (hasUnsafeChars(node)) issues.push({ path: nodePath, message: `contains control or invisible characters (shown escaped): ${show(node)}` });
    } else if (ArrayBuffer.isView(node)) {
      continue; // !!binary data: no text to look at
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => stack.push({ node: item, path: [...nodePath, index] }));
    } else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) stack.push({ node: item, path: [...nodePath, key] });
    }
  }
  return issues.reverse();
}

/** Validates an object already in memory (e.g. a plan built for the simulator). `label` names it in errors. */
export function planFromObject(value: unknown, label = '<plan>', baseDir = process.cwd(), doc?: Document, lineCounter = new LineCounter()): RolloutPlan {
  const secrets = textProblems(value);
  const located = (issues: PlanIssue[]) => {
    // A secret's own issue says it best; other checks of the same field would only repeat it.
    const secretPaths = new Set(secrets.map((issue) => formatPath(issue.path)));
    const all = [...secrets, ...issues.filter((issue) => !secretPaths.has(formatPath(issue.path)))];
    const kept = all.slice(0, FILE_LIMITS.maxIssues).map((issue) => locateIssue(issue, doc, lineCounter));
    if (all.length > kept.length) kept.push({ path: [], pathText: '', message: `and ${all.length - kept.length} more problems (fix these first)` });
    return new PlanError(label, kept);
  };
  const parsed = PlanFileSchema.safeParse(value);
  if (!parsed.success) {
    throw located(parsed.error.issues.flatMap(toPlanIssues));
  }
  const { plan, issues } = toRolloutPlan(parsed.data);
  if (!plan) throw located(issues);
  if (secrets.length > 0) throw located([]);
  return withAbsoluteRefs(plan, baseDir);
}

/** An issue with its path text and line; a collision also names the other entry and its line. */
function locateIssue(issue: PlanIssue, doc: Document | undefined, lineCounter: LineCounter): LocatedPlanIssue {
  let message = issue.message;
  if (issue.related) {
    const other = locate(doc, lineCounter, issue.related);
    message += ` (the other: ${formatPath(issue.related)}${other.line ? `, line ${other.line}` : ''})`;
  }
  return { ...issue, message, pathText: formatPath(issue.path), ...locate(doc, lineCounter, issue.path) };
}

/** Parses plan text (YAML or JSON) within the file limits (src/plan/bounds.ts FILE_LIMITS). */
export function parsePlanText(text: string, label: string, baseDir = process.cwd()): RolloutPlan {
  const { doc, value, lineCounter, problems } = parsePlanYaml(text);
  if (problems.length > 0 || !doc) {
    throw new PlanError(label, problems.map((problem) => ({ ...problem, pathText: formatPath(problem.path) })));
  }
  return planFromObject(value, label, baseDir, doc, lineCounter);
}

/** Reads and validates a plan file. Throws PlanError for every problem with the file, including an unreadable one. */
export function loadPlanFile(file: string): RolloutPlan {
  const { text, problems } = readPlanFileText(file);
  if (text === undefined) throw new PlanError(file, problems.map((problem) => ({ ...problem, pathText: formatPath(problem.path) })));
  return parsePlanText(text, file, path.dirname(path.resolve(file)));
}
