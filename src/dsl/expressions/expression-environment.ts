/**
 * CEL environments for projection expressions (engine choice: see src/dsl/README.md).
 *
 * Every expression is parsed and type-checked once, when its definition is loaded; evaluation then runs the
 * already parsed program. Two scopes exist:
 *   - `event`: keys and all graph expressions see only `event`;
 *   - `document`: document views' values and conditions also see `doc`, typed from the declared columns or
 *     fields, so `doc.totl` is a load-time error. `doc == null` is true when no document has the key yet.
 *
 * Evaluation is bounded (issue #12): the parser caps the size and depth of an expression, comprehensions
 * may nest only so deep (expression-limits.ts), every evaluation runs under a cost budget
 * (evaluation-budget.ts), and `matches()` runs on RE2 (regex.ts).
 */
import { Environment } from '@marcbachmann/cel-js';
import type { JsonObject, JsonValue } from '../../core/json';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { didYouMean } from '../errors/suggest';
import { installEngineHooks } from './cel-engine-hooks';
import { jsonToCel, registerDocumentClass, type CelInput } from './cel-values';
import type { LookupDeclaration, LookupValues } from '../../core/lookups';
import { directEvaluation, type DirectEvaluation } from './direct-access';
import { findLookupReads, LOOKUP_VARIABLE } from './lookup-reads';
import { EVALUATION_BUDGET, EvaluationMeter } from './evaluation-budget';
import { analyzeExpression, PARSER_LIMITS, parserLimitFinding } from './expression-limits';
import { PatternMatcher } from './regex';
import type { EventDataTypes } from './event-data-types';
import { overloadHint } from './type-hints';
import { celTypeOf, isIntKind, type ValueType } from './value-types';

/** The fields of `event` in expressions. */
export const EVENT_FIELDS = ['id', 'type', 'streamId', 'revision', 'position', 'data', 'metadata'] as const;

class CelEvent {
  constructor(
    readonly id: string,
    readonly type: string,
    readonly streamId: string,
    readonly revision: bigint,
    readonly position: bigint,
    readonly data: { [key: string]: CelInput },
    readonly metadata: { [key: string]: CelInput },
  ) {}
}

const celEvents = new WeakMap<StoredEvent, CelEvent>();

/** The CEL view of an event, converted once per event however many expressions read it. */
export function celEvent(event: StoredEvent): CelEvent {
  let converted = celEvents.get(event);
  if (!converted) {
    converted = new CelEvent(
      event.id,
      event.type,
      event.streamId,
      BigInt(event.revision),
      event.position,
      jsonToCel(event.data) as { [key: string]: CelInput },
      jsonToCel(event.metadata as unknown as JsonObject) as { [key: string]: CelInput },
    );
    celEvents.set(event, converted);
  }
  return converted;
}

export type ExpressionScope = 'event' | 'document';

export interface CompiledExpression {
  readonly source: string;
  /** The CEL type the checker inferred: `int`, `string`, `dyn`, `list<string>`... */
  readonly type: string;
  /** `event`: the expression reads only the event (it can run before any document is loaded). */
  readonly scope: ExpressionScope;
  /**
   * @throws the engine's EvaluationError, ExpressionBudgetExceededError or InvalidPatternError; callers
   * turn them into ProjectionEvaluationError.
   */
  evaluate(variables: ExpressionVariables): unknown;
  /**
   * For literals and event field paths: the same value read straight from the stored event, without
   * converting the event for CEL; INDIRECT when it cannot tell (then call `evaluate`). See direct-access.ts.
   */
  readonly direct?: DirectEvaluation;
  /** The lookup entries it reads (`lookup.<name>[key]`), each key compiled on its own (it reads only `event`). */
  readonly lookupReads?: readonly CompiledLookupRead[];
}

export interface CompiledLookupRead {
  readonly lookup: string;
  readonly key: CompiledExpression;
  /** The declared key type (an integer key is read as its decimal text). */
  readonly keyType: LookupDeclaration['key'];
  /** Offset of the read in the expression's source. */
  readonly offset: number;
}

export interface ExpressionVariables {
  readonly event: CelEvent;
  readonly doc?: unknown;
  readonly lookup?: unknown;
}

export interface ExpressionProblem {
  readonly code:
    | 'expression-syntax'
    | 'expression-type'
    | 'expression-limit'
    | 'expression-regex'
    /** `event.data.x` where the catalogued payload has no field x (issue #16). */
    | 'unknown-event-field'
    | 'unknown-lookup'
    | 'lookup-read';
  readonly message: string;
  /** Character offset inside the expression source. */
  readonly offset: number;
  readonly suggestion?: string;
}

export function isExpressionProblem(
  value: CompiledExpression | ExpressionProblem,
): value is ExpressionProblem {
  return 'code' in value;
}

interface CelError {
  readonly name: string;
  readonly code?: string;
  readonly summary?: string;
  readonly message: string;
  readonly range?: { readonly start: number; readonly end: number };
  readonly node?: unknown;
}

export interface EnvironmentOptions {
  /** Cost units one evaluation may spend (tests lower it); see evaluation-budget.ts. */
  readonly budget?: number;
  /** The definition's lookups: expressions then see `lookup`, typed from them (see lookup-reads.ts). */
  readonly lookups?: Readonly<Record<string, LookupDeclaration>>;
}

/** The `lookup` variable's values; one class for every environment (each types its own fields). */
class CelLookups {
  constructor(maps: Record<string, unknown>) {
    Object.assign(this, maps);
  }
}

/** A lookup the event reads no entry of: one map for all of them (CEL never changes a map). */
const NO_ENTRIES: ReadonlyMap<unknown, unknown> = new Map();

/** The `lookup` variable for these entries, each converted to its declared CEL type. */
export function celLookups(
  declared: Readonly<Record<string, LookupDeclaration>>,
  values: LookupValues,
): unknown {
  const maps: Record<string, unknown> = {};
  // Built per evaluation scope of every event that reads lookups: no entries array, and one shared empty map.
  for (const name in declared) {
    const declaration = declared[name]!;
    const entries = values.get(name);
    if (entries === undefined || entries.size === 0) {
      maps[name] = NO_ENTRIES;
      continue;
    }
    const map = new Map<unknown, unknown>();
    for (const [key, value] of entries) {
      map.set(
        declaration.key === 'integer' ? BigInt(key) : key,
        declaration.value === 'integer' && typeof value === 'number' ? BigInt(value) : value,
      );
    }
    maps[name] = map;
  }
  return new CelLookups(maps);
}

const LOOKUP_CEL_TYPES = { string: 'string', integer: 'int', float: 'double', boolean: 'bool' } as const;

export class ExpressionEnvironment {
  private readonly env: Environment;
  private readonly absentDocument: object | undefined;
  private readonly documentClass: (new (fields: Record<string, unknown>) => object) | undefined;
  private readonly meter: EvaluationMeter;
  private readonly patterns: PatternMatcher;
  private readonly typedCheckers = new WeakMap<EventDataTypes, Environment>();
  private readonly readsLookups: boolean;
  /** Declared lookups (none: `lookup` is not a variable). */
  readonly lookups: Readonly<Record<string, LookupDeclaration>>;

  private constructor(
    readonly scope: ExpressionScope,
    /** Declared document fields (document scope only). */
    readonly fields: ReadonlyMap<string, ValueType>,
    options: EnvironmentOptions,
  ) {
    this.lookups = options.lookups ?? {};
    this.readsLookups = Object.keys(this.lookups).length > 0;
    this.meter = new EvaluationMeter(options.budget ?? EVALUATION_BUDGET);
    this.patterns = new PatternMatcher(this.meter);
    const built = this.build(undefined);
    this.env = built.env;
    this.absentDocument = built.absent;
    this.documentClass = built.Doc;
  }

  /**
   * One engine environment for this scope: `event` (its `data` typed by `data`, else a map of dyn) and, in
   * document scope, `doc`. Environments with typed data are only used to check (see event-data-types.ts).
   */
  private build(data: EventDataTypes | undefined): {
    env: Environment;
    absent?: object;
    Doc?: new (fields: Record<string, unknown>) => object;
  } {
    const env = new Environment({
      homogeneousAggregateLiterals: false,
      limits: PARSER_LIMITS,
    });
    for (const type of data?.types ?? []) {
      const ctor = class {};
      Object.defineProperty(ctor, 'name', { value: type.name });
      env.registerType(type.name, { ctor, fields: { ...type.fields } });
    }
    env.registerType('Event', {
      ctor: CelEvent,
      fields: {
        id: 'string',
        type: 'string',
        streamId: 'string',
        revision: 'int',
        position: 'int',
        data: data?.root ?? 'map<string, dyn>',
        metadata: 'map<string, dyn>',
      },
    });
    env.registerVariable('event', 'Event');
    if (this.readsLookups) {
      const fields = Object.fromEntries(
        Object.entries(this.lookups).map(([name, { key, value }]) => [
          name,
          `map<${LOOKUP_CEL_TYPES[key]}, ${LOOKUP_CEL_TYPES[value]}>`,
        ]),
      );
      env.registerType('Lookups', { ctor: CelLookups, fields });
      env.registerVariable(LOOKUP_VARIABLE, 'Lookups');
    }
    let absent: object | undefined;
    let documentClass: (new (fields: Record<string, unknown>) => object) | undefined;
    if (this.scope === 'document') {
      // A class per environment: CEL matches a value to the declared Doc type by its constructor.
      const Doc = class Doc {
        constructor(values: Record<string, unknown>) {
          Object.assign(this, values);
        }
      };
      registerDocumentClass(Doc);
      const sentinel = new Doc({});
      const fieldTypes = Object.fromEntries([...this.fields].map(([name, type]) => [name, celTypeOf(type)]));
      env.registerType('Doc', { ctor: Doc, fields: fieldTypes });
      env.registerVariable('doc', 'Doc');
      // `doc == null` when there is no document: CEL values of a declared type cannot be null, so the
      // absent document is a sentinel instance and == null is defined on it (!= follows).
      env.registerOperator('Doc == null', (value: unknown) => value === sentinel);
      absent = sentinel;
      documentClass = Doc;
    }
    installEngineHooks(env, this.meter, this.patterns);
    return { env, ...(absent ? { absent } : {}), ...(documentClass ? { Doc: documentClass } : {}) };
  }

  /** The environment that checks expressions reading `event.data` of this catalogued event, built once. */
  private checkerFor(data: EventDataTypes): Environment {
    let env = this.typedCheckers.get(data);
    if (!env) {
      env = this.build(data).env;
      this.typedCheckers.set(data, env);
    }
    return env;
  }

  static forEvents(options: EnvironmentOptions = {}): ExpressionEnvironment {
    return new ExpressionEnvironment('event', new Map(), options);
  }

  static forDocuments(
    fields: ReadonlyMap<string, ValueType>,
    options: EnvironmentOptions = {},
  ): ExpressionEnvironment {
    return new ExpressionEnvironment('document', fields, options);
  }

  /** Cost units the last evaluation in this environment spent (see evaluation-budget.ts). */
  get lastEvaluationCost(): number {
    return this.meter.used;
  }

  /**
   * Parse and type-check once. With `data` (a catalogued handler event), `event.data` is checked against
   * the event's payload types; the expression still runs in the dynamic environment.
   */
  compile(source: string, data?: EventDataTypes): CompiledExpression | ExpressionProblem {
    const checked = this.check(source, data);
    if (!checked.valid) return this.problem(source, checked.error, data);
    let program: ((context: Record<string, unknown>) => unknown) & { readonly ast?: unknown };
    try {
      program = this.env.parse(source) as typeof program;
    } catch (error) {
      return this.problem(source, error as CelError);
    }
    const bounded = this.checkBounds(source, program.ast);
    if (bounded) return bounded;
    const lookupReads = this.readsLookups ? this.compileLookupReads(source, program.ast) : undefined;
    if (lookupReads !== undefined && !Array.isArray(lookupReads)) return lookupReads;
    const direct = directEvaluation(source);
    const meter = this.meter;
    return {
      source,
      scope: this.scope,
      type: checked.type ?? 'dyn',
      evaluate: (variables) => meter.measure(() => program(variables as unknown as Record<string, unknown>)),
      ...(direct === undefined ? {} : { direct }),
      ...(lookupReads !== undefined && lookupReads.length > 0 ? { lookupReads } : {}),
    };
  }

  /**
   * With payload types, what typing finds beyond the dynamic check is an unknown field or operands of the
   * wrong type; both fail at run time too. Anything else the typed check refuses that the dynamic one
   * accepts (`has(event.data.city) ? event.data.city : null`, whose branches are string and null) runs
   * fine, so the dynamic result stands and definitions written before the catalog keep validating.
   */
  private check(source: string, data: EventDataTypes | undefined): ReturnType<Environment['check']> {
    if (!data) return this.env.check(source);
    const typed = this.checkerFor(data).check(source);
    if (typed.valid) return typed;
    const code = (typed.error as CelError | undefined)?.code;
    if (code === 'no_such_key' || code === 'no_such_overload') return typed;
    return this.env.check(source);
  }

  /** The lookup entries an expression reads, each key compiled on its own; or why they cannot be read. */
  private compileLookupReads(source: string, ast: unknown): CompiledLookupRead[] | ExpressionProblem {
    const { reads, misuses } = findLookupReads(ast, source);
    const misuse = misuses[0];
    if (misuse) return { code: 'lookup-read', offset: misuse.offset, message: misuse.message };
    const compiled: CompiledLookupRead[] = [];
    for (const read of reads) {
      const key = this.compile(read.key);
      if (isExpressionProblem(key)) return { ...key, offset: read.keyOffset + key.offset };
      compiled.push({
        lookup: read.lookup,
        key,
        keyType: this.lookups[read.lookup]!.key,
        offset: read.offset,
      });
    }
    return compiled;
  }

  /** Comprehension nesting and literal regex patterns (the parser checked size and depth). */
  private checkBounds(source: string, ast: unknown): ExpressionProblem | undefined {
    const shape = analyzeExpression(ast, source);
    const exceeded = shape.exceeded[0];
    if (exceeded) return { code: 'expression-limit', ...exceeded };
    for (const { pattern, offset } of shape.patterns) {
      const problem = this.patterns.addLiteral(pattern);
      if (problem) return { code: 'expression-regex', offset, ...problem };
    }
    return undefined;
  }

  /** The `doc` variable for a stored document (or its absence). */
  document(document: JsonObject | undefined): unknown {
    if (!this.documentClass || !this.absentDocument) throw new Error('event-scope expressions have no doc');
    if (document === undefined) return this.absentDocument;
    const values: Record<string, unknown> = {};
    for (const [name, type] of this.fields) {
      const value = document[name];
      if (value === undefined) continue;
      values[name] = toCelField(type, value);
    }
    return new this.documentClass(values);
  }

  private problem(source: string, error: CelError | undefined, data?: EventDataTypes): ExpressionProblem {
    const summary = (error?.summary ?? error?.message ?? 'invalid expression').split('\n')[0]!;
    const offset = error?.range?.start ?? 0;
    if (error?.code === 'limit_exceeded')
      return { code: 'expression-limit', offset, ...parserLimitFinding(summary) };
    const unknownLookup = this.unknownLookup(source, error?.code, summary, offset);
    if (unknownLookup) return unknownLookup;
    const code = error?.name === 'ParseError' ? 'expression-syntax' : 'expression-type';
    const explained = this.explain(source, error?.code, summary, offset, error?.node, data);
    return { code: explained.code ?? code, offset, ...explained };
  }

  /** `lookup.<name>` naming no declared lookup, or `lookup` in a definition that declares none. */
  private unknownLookup(
    source: string,
    code: string | undefined,
    summary: string,
    offset: number,
  ): ExpressionProblem | undefined {
    const names = Object.keys(this.lookups);
    if (code === 'unknown_variable' && /Unknown variable: lookup\b/.test(summary)) {
      return {
        code: 'unknown-lookup',
        offset,
        message:
          'this definition declares no lookups; declare one under `lookups:` and write it with `remember`',
      };
    }
    if (code !== 'no_such_key' || !/\blookup\s*\.\s*\??$/.test(source.slice(0, offset))) return undefined;
    const name = /No such key: (\S+)/.exec(summary)?.[1] ?? '';
    return {
      code: 'unknown-lookup',
      offset,
      message: `unknown lookup "${name}"; declared: ${names.join(', ')}`,
      ...optional(didYouMean(name, names)),
    };
  }

  /** The engine's message, made specific where the cause is typical of projections. */
  private explain(
    source: string,
    code: string | undefined,
    summary: string,
    offset: number,
    node: unknown,
    data?: EventDataTypes,
  ): { message: string; suggestion?: string; code?: 'unknown-event-field' } {
    if (code === 'unknown_variable') {
      const name = /Unknown variable: (\S+)/.exec(summary)?.[1] ?? '';
      const variables = [
        'event',
        ...(this.scope === 'document' ? ['doc'] : []),
        ...(this.readsLookups ? [LOOKUP_VARIABLE] : []),
      ];
      const visible =
        variables.length === 1
          ? 'only `event`'
          : `${variables
              .slice(0, -1)
              .map((v) => `\`${v}\``)
              .join(', ')} and \`${variables.at(-1)!}\``;
      if (name === 'doc') {
        return { message: 'unknown variable "doc": keys and graph expressions see only `event`' };
      }
      const suggestion = /^[A-Za-z_][A-Za-z0-9_]*$/.test(source.trim())
        ? `a text value needs CEL quotes inside the YAML string: '"${source.trim()}"'`
        : didYouMean(name, variables);
      return {
        message: `unknown variable "${name}"; expressions here see ${visible}`,
        ...(suggestion ? { suggestion } : {}),
      };
    }
    if (code === 'no_such_key') {
      const key = /No such key: (\S+)/.exec(summary)?.[1] ?? '';
      const before = source.slice(0, offset);
      if (/\bdoc\s*\.\s*\??$/.test(before)) {
        const fields = [...this.fields.keys()];
        return {
          message: `doc has no field "${key}"; declared: ${fields.join(', ')}`,
          ...optional(didYouMean(key, fields)),
        };
      }
      const payloadField = data && unknownPayloadField(data, before, key);
      if (payloadField) return payloadField;
      if (/\bevent\s*\.\s*\??$/.test(before)) {
        return {
          message: `event has no field "${key}"; it has ${EVENT_FIELDS.join(', ')}`,
          ...optional(didYouMean(key, EVENT_FIELDS)),
        };
      }
    }
    const message = summary.charAt(0).toLowerCase() + summary.slice(1);
    if (code === 'incompatible_ternary_branches' && summary.includes("'null'")) {
      return { message, suggestion: 'wrap the non-null branch in dyn(...), e.g. cond ? dyn("x") : null' };
    }
    if (code === 'no_such_overload') {
      return { message, ...optional(overloadHint(summary, node, source)) };
    }
    if (summary === 'Unexpected token: EOF') return { message: 'the expression ends too early' };
    if (/\bEOF\b/.test(summary))
      return { message: `the expression ends too early: ${message.replace(/, got EOF$/, '')}` };
    return { message };
  }
}

/**
 * `event.data.x.custmerId`: which payload object was read (walking the field path before the key through
 * the payload's types) and what it has.
 */
function unknownPayloadField(
  data: EventDataTypes,
  before: string,
  key: string,
): { message: string; suggestion?: string; code: 'unknown-event-field' } | undefined {
  const path = /\bevent\s*\.\s*data((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*\.\s*\??$/.exec(before);
  if (!path) return undefined;
  const steps = path[1]!
    .split('.')
    .map((step) => step.trim())
    .filter((step) => step.length > 0);
  const byName = new Map(data.types.map((type) => [type.name, type]));
  let current = byName.get(data.root);
  for (const step of steps) current = current && byName.get(current.fields[step] ?? '');
  if (!current) return undefined;
  const fields = Object.keys(current.fields);
  const where = ['event.data', ...steps].join('.');
  return {
    code: 'unknown-event-field',
    message: `${where} of ${data.label} has no field "${key}"; it has ${fields.join(', ')}`,
    ...optional(didYouMean(key, fields)),
  };
}

function optional(suggestion: string | undefined): { suggestion?: string } {
  return suggestion === undefined ? {} : { suggestion };
}

/** A stored value as the declared CEL type of its field (ints are bigints; dyn fields convert like JSON). */
function toCelField(type: ValueType, value: JsonValue): unknown {
  if (type.nullable || type.kind === 'json') return jsonToCel(value);
  if (type.array)
    return Array.isArray(value)
      ? Array.from(value, (item) => toCelField({ ...type, array: false }, item))
      : value;
  if (isIntKind(type.kind) && typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value;
}
