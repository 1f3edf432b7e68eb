/**
 * Reads a plan file (YAML or JSON; JSON is parsed as YAML so both get line numbers), validates it and returns
 * the RolloutPlan. Every problem is reported at once, each with file, path, line and what was expected.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { CloudAuth, QrsAuth, RolloutPlan } from './types';
import { PlanFileSchema, toRolloutPlan, type PlanIssue } from './schema';

export interface LocatedPlanIssue extends PlanIssue {
  /** e.g. tenants[3].url */
  pathText: string;
  line?: number;
  column?: number;
}

export class PlanError extends Error {
  constructor(
    readonly file: string,
    readonly issues: LocatedPlanIssue[],
  ) {
    super(
      `${file}: the plan is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  ${i.line ? `line ${i.line}: ` : ''}${i.pathText || '(top level)'}: ${i.message}`).join('\n'),
    );
    this.name = 'PlanError';
  }
}

export function formatPath(issuePath: PlanIssue['path']): string {
  return issuePath.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key), '');
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

function withAbsoluteRefs(plan: RolloutPlan, baseDir: string): RolloutPlan {
  const defaults = plan.tenantDefaults;
  return {
    ...plan,
    source: { ...plan.source, auth: absoluteQrsAuth(plan.source.auth, baseDir) },
    tenantDefaults: { ...defaults, ...(defaults.auth ? { auth: absoluteCloudAuth(defaults.auth, baseDir) } : {}) },
    tenants: plan.tenants.map((t) => (t.auth ? { ...t, auth: absoluteCloudAuth(t.auth, baseDir) } : t)),
  };
}

function toPlanIssues(issue: z.core.$ZodIssue): PlanIssue[] {
  const issuePath = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  // One issue per unknown key, pointing at the key itself: usually a typo a person should see at its line.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...issuePath, key], message: `unknown field "${key}" (check the spelling; the fields are listed in schema/plan.schema.json)` }));
  }
  return [{ path: issuePath, message: issue.message }];
}

/** Validates an object already in memory (e.g. a plan built for the simulator). `label` names it in errors. */
export function planFromObject(value: unknown, label = '<plan>', baseDir = process.cwd(), doc?: Document, lineCounter = new LineCounter()): RolloutPlan {
  const located = (issues: PlanIssue[]) =>
    new PlanError(label, issues.map((issue) => ({ ...issue, pathText: formatPath(issue.path), ...locate(doc, lineCounter, issue.path) })));
  const parsed = PlanFileSchema.safeParse(value);
  if (!parsed.success) {
    throw located(parsed.error.issues.flatMap(toPlanIssues));
  }
  const { plan, issues } = toRolloutPlan(parsed.data);
  if (!plan) throw located(issues);
  return withAbsoluteRefs(plan, baseDir);
}

/** Parses plan text (YAML or JSON). */
export function parsePlanText(text: string, label: string, baseDir = process.cwd()): RolloutPlan {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PlanError(
      label,
      doc.errors.map((err) => {
        const { line, col } = lineCounter.linePos(err.pos[0]);
        return { path: [], pathText: '', line, column: col, message: `not valid YAML/JSON: ${err.message.split('\n')[0]}` };
      }),
    );
  }
  return planFromObject(doc.toJS(), label, baseDir, doc, lineCounter);
}

/** Reads and validates a plan file. Throws PlanError (bad plan) or a plain Error (unreadable file). */
export function loadPlanFile(file: string): RolloutPlan {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PlanError(file, [{ path: [], pathText: '', message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? (err as Error).message})` }]);
  }
  return parsePlanText(text, file, path.dirname(path.resolve(file)));
}
