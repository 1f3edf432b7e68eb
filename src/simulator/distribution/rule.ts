/**
 * Distribution policy conditions, a subset of Qlik's security-rule language (doc HLP-POL, KB-MC):
 *   ((resource.@Deployments = subject.name and resource.stream.name = "Customers"))
 * Operands: resource.<path>, resource.@<CustomProperty>, subject.<path>, "string literals". Operators: =, !=, like
 * (with * wildcards), and/or, parentheses. Comparisons are case-insensitive; a multi-valued custom property
 * matches when any value matches. An empty condition matches everything, like an empty security rule.
 *
 * Compiled once per rule text (cached), so evaluating a rule is a few closure calls. Values are sets: under the OEM
 * pattern an app carries one `@Deployments` value per deployment, and `resource.@Deployments = subject.name` is
 * evaluated for each of them, so it must be one lookup, not a scan (a scan makes a distribution O(deployments^2)).
 */
import type { Variants } from '../variants';

export type RuleValues = ReadonlySet<string>;

export interface RuleResource {
  /** Lower-cased dotted path -> values, e.g. 'stream.name' -> {'customers'}, 'name' -> {'sales analytics'}. */
  attribute(path: string): RuleValues;
  /** Lower-cased custom property name -> lower-cased values. */
  customProperty(name: string): RuleValues;
}

export interface RuleSubject {
  /** Lower-cased deployment name. */
  name: string;
}

export type RuleFn = (resource: RuleResource, subject: RuleSubject) => boolean;

export interface CompiledRule {
  evaluate: RuleFn;
  /**
   * When the rule can only hold for subjects whose name equals one of a resource's custom property values
   * (the OEM pattern `resource.@X = subject.name` in every branch), the property name: the engine then looks up
   * only those deployments instead of all of them.
   */
  subjectNameProperty: string | null;
}

export class RuleSyntaxError extends Error {}

type Operand = { kind: 'resource'; path: string } | { kind: 'customProperty'; name: string } | { kind: 'subject'; path: string } | { kind: 'literal'; value: string; values: RuleValues };

interface Node {
  fn: RuleFn;
  /** Custom property pinned to subject.name on every path that makes this node true, else null. */
  pinned: string | null;
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\(|\)|!=|=|[^\s()="!]+)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text)) !== null) {
    tokens.push(m[1]);
    consumed = re.lastIndex;
  }
  if (text.slice(consumed).trim() !== '') throw new RuleSyntaxError(`cannot read rule near "${text.slice(consumed)}"`);
  return tokens;
}

class RuleParser {
  private pos = 0;
  constructor(private readonly tokens: string[]) {}

  parse(): Node {
    const node = this.or();
    if (this.pos < this.tokens.length) throw new RuleSyntaxError(`unexpected "${this.tokens[this.pos]}"`);
    return node;
  }

  private or(): Node {
    const parts = [this.and()];
    while (this.tokens[this.pos]?.toLowerCase() === 'or') {
      this.pos++;
      parts.push(this.and());
    }
    if (parts.length === 1) return parts[0];
    const pinned = parts.every((p) => p.pinned !== null && p.pinned === parts[0].pinned) ? parts[0].pinned : null;
    return { fn: (r, s) => parts.some((p) => p.fn(r, s)), pinned };
  }

  private and(): Node {
    const parts = [this.primary()];
    while (this.tokens[this.pos]?.toLowerCase() === 'and') {
      this.pos++;
      parts.push(this.primary());
    }
    if (parts.length === 1) return parts[0];
    return { fn: (r, s) => parts.every((p) => p.fn(r, s)), pinned: parts.find((p) => p.pinned !== null)?.pinned ?? null };
  }

  private primary(): Node {
    if (this.tokens[this.pos] === '(') {
      this.pos++;
      if (this.tokens[this.pos] === ')') {
        this.pos++;
        return { fn: () => true, pinned: null };
      }
      const node = this.or();
      if (this.tokens[this.pos] !== ')') throw new RuleSyntaxError('missing )');
      this.pos++;
      return node;
    }
    const left = this.operand();
    const op = this.tokens[this.pos++]?.toLowerCase();
    if (op !== '=' && op !== '!=' && op !== 'like') throw new RuleSyntaxError(`expected =, != or like, got "${op ?? 'end of rule'}"`);
    const right = this.operand();
    return comparison(left, op, right);
  }

  private operand(): Operand {
    const token = this.tokens[this.pos++];
    if (token === undefined) throw new RuleSyntaxError('rule ends too early');
    if (token.startsWith('"')) {
      const value = (JSON.parse(token) as string).toLowerCase();
      return { kind: 'literal', value, values: new Set([value]) };
    }
    const lower = token.toLowerCase();
    if (lower.startsWith('resource.@')) return { kind: 'customProperty', name: lower.slice('resource.@'.length) };
    if (lower.startsWith('resource.')) return { kind: 'resource', path: lower.slice('resource.'.length) };
    if (lower.startsWith('subject.')) return { kind: 'subject', path: lower.slice('subject.'.length) };
    throw new RuleSyntaxError(`unknown operand "${token}" (use resource.x, resource.@Property, subject.name or "text")`);
  }
}

const NO_VALUES: RuleValues = new Set();

function valuesOf(operand: Operand, r: RuleResource, s: RuleSubject): RuleValues {
  switch (operand.kind) {
    case 'literal':
      return operand.values;
    case 'customProperty':
      return r.customProperty(operand.name);
    case 'resource':
      return r.attribute(operand.path);
    case 'subject':
      return operand.path === 'name' ? new Set([s.name]) : NO_VALUES;
  }
}

/** Some value on each side equal: walk the smaller set, look up in the larger. */
function intersects(a: RuleValues, b: RuleValues): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const value of small) if (large.has(value)) return true;
  return false;
}

function likeMatcher(pattern: string): (value: string) => boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return (value) => re.test(value);
}

/** `left like right`: a literal pattern is compiled once with the rule, others per evaluation. */
function likeTest(right: Operand): (lefts: RuleValues, rights: RuleValues) => boolean {
  const fixed = right.kind === 'literal' ? likeMatcher(right.value) : undefined;
  return (lefts, rights) => {
    const matchers = fixed ? [fixed] : [...rights].map(likeMatcher);
    for (const value of lefts) if (matchers.some((m) => m(value))) return true;
    return false;
  };
}

function comparison(left: Operand, op: string, right: Operand): Node {
  const test = op === 'like' ? likeTest(right) : intersects;
  const negate = op === '!=';
  const fn: RuleFn = (r, s) => test(valuesOf(left, r, s), valuesOf(right, r, s)) !== negate;
  const isSubjectName = (o: Operand) => o.kind === 'subject' && o.path === 'name';
  let pinned: string | null = null;
  if (op === '=' && left.kind === 'customProperty' && isSubjectName(right)) pinned = left.name;
  if (op === '=' && right.kind === 'customProperty' && isSubjectName(left)) pinned = right.name;
  return { fn, pinned };
}

const cache = new Map<string, CompiledRule>();

/** Compiles a rule condition (cached by text). Throws RuleSyntaxError with a readable message. */
export function compileRule(text: string): CompiledRule {
  let compiled = cache.get(text);
  if (!compiled) {
    const trimmed = text.trim();
    const node = trimmed === '' ? { fn: () => true, pinned: null } : new RuleParser(tokenize(trimmed)).parse();
    compiled = { evaluate: node.fn, subjectNameProperty: node.pinned };
    cache.set(text, compiled);
  }
  return compiled;
}

/** resourceFilter of a distribution policy: `App_*` (all apps) or `App_<guid>` (one app), comma separated. */
export function resourceFilterMatchesApp(resourceFilter: string, appId: string): boolean {
  return resourceFilter.split(',').some((part) => {
    const p = part.trim().toLowerCase();
    return p === 'app_*' || p === `app_${appId.toLowerCase()}`;
  });
}

/**
 * Assumption A3 (variant 'policy-category'): whether the App Distribution Service reads a Distribute SystemRule of
 * this category as a distribution policy. Qlik does not document the category the QMC's Cloud distribution page
 * writes. 'Sync' is QRS's load-balancing category (/qrs/systemrule/sync/audit is the "Load balancing rule audit"),
 * so the default variant does not read it:
 * - any-but-sync: every category but Sync (default);
 * - security-only: only Security (policies are documented as "similar to security rules");
 * - any: every category, Sync included (the simulator's behaviour before A3 was written down).
 * QRS itself stores a rule of any category (qrs-write.ts): a rule in the wrong category is accepted, then ignored.
 */
export function distributesWith(category: string | null | undefined, variant: Variants['policy-category']): boolean {
  const c = (category ?? '').trim().toLowerCase();
  switch (variant) {
    case 'any':
      return true;
    case 'security-only':
      return c === 'security';
    case 'any-but-sync':
      return c !== 'sync';
  }
}
