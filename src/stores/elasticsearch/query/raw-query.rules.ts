/**
 * A tiny schema vocabulary for raw search bodies and the one walker that checks a body against it.
 * Everything is denied unless a rule names it (issue #12: a deny-list let scripts and other indices
 * through), and every rejection names the JSON path of the offending key, e.g.
 * `query.bool.must[0].terms_set.tags.minimum_should_match_script`.
 */
import type { JsonValue } from '../../../core/json';
import { RawQueryRejectedError } from './search.errors';

export type Rule =
  | { readonly kind: 'string' | 'number' | 'boolean' | 'scalar' | 'scalarOrNull' }
  /** An array whose items all follow `of`, at most `max` of them. */
  | { readonly kind: 'list'; readonly of: Rule; readonly max?: number }
  /** An object with only these keys (each optional). `what` names it in messages. */
  | { readonly kind: 'object'; readonly what: string; readonly keys: RuleTable }
  /**
   * An object keyed by exactly one field name (`term: { status: ... }`), beside optional fixed keys
   * (`terms: { status: [...], boost: 2 }`).
   */
  | { readonly kind: 'field'; readonly what: string; readonly value: Rule; readonly beside?: RuleTable }
  /** An object of names the caller chooses (highlight fields, named filters); `denied` names never. */
  | { readonly kind: 'map'; readonly value: Rule; readonly denied?: Readonly<Record<string, string>> }
  /** The first rule that takes values of this JSON type (string, number, boolean, array, object). */
  | { readonly kind: 'anyOf'; readonly rules: readonly Rule[]; readonly expected: string }
  /** One query clause: `{ <query type>: <its parameters> }`, by the grammar's query table. */
  | { readonly kind: 'query' }
  /** Named aggregations: `{ <name>: { <aggregation type>: ..., aggs?: ..., meta?: ... } }`. */
  | { readonly kind: 'aggregations' };

export type RuleTable = Readonly<Record<string, Rule>>;

/** What the walker knows: the allowed query and aggregation types, and the limits. */
export interface Grammar {
  readonly queries: RuleTable;
  readonly aggregations: RuleTable;
  /** Why a commonly tried key is refused (scripts, other indices...), added to "is not allowed". */
  readonly reasons: Readonly<Record<string, string>>;
  /** Objects and arrays nested deeper than this are refused (a body nested ~1,000 deep, issue #12). */
  readonly maxDepth: number;
  /** Query clauses nested inside each other (bool in bool...) deeper than this are refused. */
  readonly maxQueryDepth: number;
}

interface Place {
  readonly path: string;
  readonly depth: number;
  readonly queryDepth: number;
}

/** Throws RawQueryRejectedError at the first value `rule` does not allow. */
export function checkRule(grammar: Grammar, rule: Rule, value: JsonValue, path: string): void {
  new Walker(grammar).check(rule, value, { path, depth: 0, queryDepth: 0 });
}

class Walker {
  constructor(private readonly grammar: Grammar) {}

  check(rule: Rule, value: JsonValue, at: Place): void {
    switch (rule.kind) {
      case 'string':
      case 'number':
      case 'boolean':
        if (typeof value !== rule.kind) this.reject(at, `expected a ${rule.kind}, got ${describe(value)}`);
        return;
      case 'scalar':
      case 'scalarOrNull':
        if (value === null && rule.kind === 'scalarOrNull') return;
        if (value === null || typeof value === 'object') {
          this.reject(at, `expected a string, number or boolean, got ${describe(value)}`);
        }
        return;
      case 'list':
        return this.list(rule.of, rule.max, value, at);
      case 'object':
        return this.object(rule.what, rule.keys, value, at);
      case 'field':
        return this.field(rule, value, at);
      case 'map':
        return this.map(rule, value, at);
      case 'anyOf': {
        const fitting = rule.rules.find((candidate) => takes(candidate, value));
        if (fitting === undefined) this.reject(at, `expected ${rule.expected}, got ${describe(value)}`);
        return this.check(fitting, value, at);
      }
      case 'query':
        return this.query(value, at);
      case 'aggregations':
        return this.aggregations(value, at);
    }
  }

  private list(of: Rule, max: number | undefined, value: JsonValue, at: Place): void {
    if (!Array.isArray(value)) this.reject(at, `expected an array, got ${describe(value)}`);
    this.enter(at);
    if (max !== undefined && value.length > max) this.reject(at, `at most ${max} items`);
    value.forEach((item, i) =>
      this.check(of, item, { ...at, path: `${at.path}[${i}]`, depth: at.depth + 1 }),
    );
  }

  private object(what: string, keys: RuleTable, value: JsonValue, at: Place): void {
    const object = this.entries(value, at);
    for (const [key, item] of object) {
      const rule = own(keys, key);
      if (rule === undefined) this.notAllowed(at, key, what, Object.keys(keys));
      this.check(rule, item, this.inside(at, key));
    }
  }

  private field(rule: Extract<Rule, { kind: 'field' }>, value: JsonValue, at: Place): void {
    const object = this.entries(value, at);
    const fields = object.filter(([key]) => own(rule.beside ?? {}, key) === undefined);
    if (fields.length !== 1) {
      this.reject(
        at,
        `${rule.what} takes exactly one field, got ${fields.length === 0 ? 'none' : fields.map(([k]) => k).join(', ')}`,
      );
    }
    for (const [key, item] of object) {
      const beside = own(rule.beside ?? {}, key);
      const place = this.inside(at, key);
      if (key === '') this.reject(place, 'a field name cannot be empty');
      this.check(beside ?? rule.value, item, place);
    }
  }

  private map(rule: Extract<Rule, { kind: 'map' }>, value: JsonValue, at: Place): void {
    for (const [key, item] of this.entries(value, at)) {
      const denied = own(rule.denied ?? {}, key);
      if (denied !== undefined) this.reject(this.inside(at, key), `"${key}" is not allowed: ${denied}`);
      this.check(rule.value, item, this.inside(at, key));
    }
  }

  private query(value: JsonValue, at: Place): void {
    const entries = this.entries(value, at);
    if (at.queryDepth >= this.grammar.maxQueryDepth) {
      this.reject(at, `queries nest deeper than ${this.grammar.maxQueryDepth} levels`);
    }
    const [first, second] = entries;
    if (first === undefined || second !== undefined) {
      this.reject(at, `expected one query clause such as { "match": ... }, got ${entries.length} keys`);
    }
    const [type, parameters] = first;
    const rule = own(this.grammar.queries, type);
    if (rule === undefined)
      this.notAllowed(at, type, 'a query', Object.keys(this.grammar.queries), 'query type');
    this.check(rule, parameters, { ...this.inside(at, type), queryDepth: at.queryDepth + 1 });
  }

  private aggregations(value: JsonValue, at: Place): void {
    for (const [name, aggregation] of this.entries(value, at)) {
      const place = this.inside(at, name);
      const entries = this.entries(aggregation, place);
      const types = entries.filter(([key]) => !AGGREGATION_KEYS.has(key));
      for (const [type] of types) {
        if (own(this.grammar.aggregations, type) === undefined) {
          this.notAllowed(
            place,
            type,
            'an aggregation',
            Object.keys(this.grammar.aggregations),
            'aggregation type',
          );
        }
      }
      if (types.length !== 1) this.reject(place, `expected one aggregation type, got ${types.length}`);
      if (entries.some(([k]) => k === 'aggs') && entries.some(([k]) => k === 'aggregations')) {
        this.reject(place, 'give sub-aggregations as aggs or aggregations, not both');
      }
      for (const [key, item] of entries) {
        const inner = this.inside(place, key);
        if (key === 'aggs' || key === 'aggregations') this.aggregations(item, inner);
        else if (key === 'meta') this.check(META, item, inner);
        else this.check(own(this.grammar.aggregations, key)!, item, inner);
      }
    }
  }

  /** The object's entries, after checking it is an object and not nested too deep. */
  private entries(value: JsonValue, at: Place): [string, JsonValue][] {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.reject(at, `expected an object, got ${describe(value)}`);
    }
    this.enter(at);
    return Object.entries(value);
  }

  private enter(at: Place): void {
    if (at.depth >= this.grammar.maxDepth) {
      this.reject(at, `the body nests deeper than ${this.grammar.maxDepth} levels`);
    }
  }

  private inside(at: Place, key: string): Place {
    return { ...at, path: at.path === '' ? key : `${at.path}.${key}`, depth: at.depth + 1 };
  }

  private notAllowed(at: Place, key: string, what: string, allowed: readonly string[], noun = ''): never {
    const reason = own(this.grammar.reasons, key);
    const subject = noun === '' ? `"${key}" is not allowed in ${what}` : `"${key}" is not an allowed ${noun}`;
    throw new RawQueryRejectedError(
      this.inside(at, key).path,
      `${subject}${reason === undefined ? '' : ` (${reason})`}` +
        (allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''),
    );
  }

  private reject(at: Place, reason: string): never {
    throw new RawQueryRejectedError(at.path === '' ? '$' : at.path, reason);
  }
}

/** Keys of an aggregation beside its type. */
const AGGREGATION_KEYS = new Set(['aggs', 'aggregations', 'meta']);
const META: Rule = { kind: 'map', value: { kind: 'scalarOrNull' } };

/** The rule's own entry (never one inherited from Object.prototype, such as `constructor`). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Whether `rule` is meant for values of this JSON type (used to pick among anyOf alternatives). */
function takes(rule: Rule, value: JsonValue): boolean {
  switch (rule.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value === rule.kind;
    case 'scalar':
      return value !== null && typeof value !== 'object';
    case 'scalarOrNull':
      return value === null || typeof value !== 'object';
    case 'list':
      return Array.isArray(value);
    case 'anyOf':
      return rule.rules.some((inner) => takes(inner, value));
    default:
      return value !== null && typeof value === 'object' && !Array.isArray(value);
  }
}

function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 80);
}
