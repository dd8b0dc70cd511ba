/**
 * Checked definition -> CompiledProjection (src/core/plan.ts): the pure function the runtime drives.
 *
 * Each action becomes a small closure over expressions that were parsed and type-checked at load; nothing is
 * parsed per event. Operations come out in action order. Within one action every expression sees the
 * document as it was before the action (like SQL's UPDATE ... SET), and the next action of the same event
 * sees the result. Any failure while evaluating is deterministic, so it is a ProjectionEvaluationError.
 */
import type { JsonValue } from '../../core/json';
import {
  ProjectionEvaluationError,
  type CompiledProjection,
  type DocumentKey,
  type NamedQuery,
  type NodeRef,
  type QueryParameter,
  type ViewDocument,
  type ViewOperation,
} from '../../core/plan';
import type {
  ElasticsearchTargetShape,
  Neo4jTargetShape,
  PostgresTargetShape,
  TargetShape,
} from '../../core/view-shape';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { CelValueConversionError, describeCel, keyText } from '../expressions/cel-values';
import { INDIRECT } from '../expressions/direct-access';
import {
  celEvent,
  ExpressionEnvironment,
  type CompiledExpression,
  type ExpressionVariables,
} from '../expressions/expression-environment';
import { convertToDeclared, graphValueType, isIntKind, type ValueType } from '../expressions/value-types';
import type {
  ActionDefinition,
  Neo4jTargetDefinition,
  ProjectionDefinition,
  QueryDefinition,
  TargetDefinition,
} from '../model/definition.schema';
import { formatPath, type PathSegment } from '../source/source-locator';
import type { CheckedDefinition } from '../validation/definition.validator';
import { actionKind, documentShapeOf } from '../validation/semantic.validator';
import { fingerprintOf } from './projection.fingerprint';

export function compileProjection(checked: CheckedDefinition): CompiledProjection {
  const { definition } = checked;
  const common = {
    name: definition.name,
    version: definition.version,
    fingerprint: fingerprintOf(definition),
    source: {
      eventTypes: [...definition.source.events],
      ...(definition.source.streamPrefix === undefined
        ? {}
        : { streamPrefix: definition.source.streamPrefix }),
    },
    target: targetShapeOf(definition.target),
    onPoison: definition.onPoison,
    queries: queriesOf(definition.queries),
  };
  const plan =
    definition.target.kind === 'neo4j'
      ? new GraphPlan(checked, definition.target)
      : new DocumentPlan(checked);
  const compiled: CompiledProjection = Object.freeze({
    ...common,
    keysOf: (event: StoredEvent) => plan.keysOf(event),
    apply: (event: StoredEvent, state: ReadonlyMap<DocumentKey, ViewDocument>) => plan.apply(event, state),
  });
  models.set(compiled, definition);
  return compiled;
}

const models = new WeakMap<CompiledProjection, ProjectionDefinition>();

/**
 * The validated definition a plan was compiled from, as plain JSON: what the runtime stores with a view
 * generation so a later process can recompile it (see recompileDefinition). Null for plans not made here.
 */
export function definitionModelOf(projection: CompiledProjection): JsonValue | null {
  const definition = models.get(projection);
  return definition === undefined ? null : (JSON.parse(JSON.stringify(definition)) as JsonValue);
}

// ------------------------------------------------------------------------------------------------ shapes

/** The target shape as src/core/view-shape.ts declares it (DSL-only details such as `array` stay behind). */
export function targetShapeOf(target: TargetDefinition): TargetShape {
  switch (target.kind) {
    case 'postgres':
      return {
        kind: 'postgres',
        table: target.table,
        key: target.key,
        columns: Object.fromEntries(
          Object.entries(target.columns).map(([name, column]) => [
            name,
            { type: column.type, nullable: column.nullable },
          ]),
        ),
        indexes: target.indexes.map((index) => ({ columns: [...index.columns], unique: index.unique })),
      } satisfies PostgresTargetShape;
    case 'elasticsearch':
      return {
        kind: 'elasticsearch',
        index: target.index,
        id: target.id,
        fields: Object.fromEntries(
          Object.entries(target.fields).map(([name, field]) => [
            name,
            {
              type: field.type,
              facet: field.facet,
              filter: field.filter,
              ...(field.analyzer !== undefined && { analyzer: field.analyzer }),
              ...(field.searchAnalyzer !== undefined && { searchAnalyzer: field.searchAnalyzer }),
            },
          ]),
        ),
        ...(target.settings !== undefined && { settings: { ...target.settings } }),
      } satisfies ElasticsearchTargetShape;
    case 'neo4j':
      return {
        kind: 'neo4j',
        nodes: Object.fromEntries(
          Object.entries(target.nodes).map(([label, node]) => [
            label,
            { key: node.key, properties: { ...node.properties } },
          ]),
        ),
        relationships: Object.fromEntries(
          Object.entries(target.relationships).map(([type, relationship]) => [
            type,
            { from: relationship.from, to: relationship.to, properties: { ...relationship.properties } },
          ]),
        ),
      } satisfies Neo4jTargetShape;
  }
}

function queriesOf(queries: ProjectionDefinition['queries']): Record<string, NamedQuery> {
  return Object.fromEntries(Object.entries(queries).map(([name, query]) => [name, namedQuery(name, query)]));
}

function namedQuery(name: string, query: QueryDefinition): NamedQuery {
  const parameters: Record<string, QueryParameter> = {};
  for (const [parameter, declaration] of Object.entries(query.parameters)) {
    parameters[parameter] = {
      type: declaration.type,
      required: declaration.required ?? declaration.default === undefined,
      ...(declaration.default === undefined ? {} : { default: declaration.default }),
    };
  }
  return { name, parameters, body: query.cypher ?? query.search ?? {} };
}

// ------------------------------------------------------------------------------------------------ evaluation

interface Plan {
  keysOf(event: StoredEvent): readonly string[];
  apply(event: StoredEvent, state: ReadonlyMap<DocumentKey, ViewDocument>): readonly ViewOperation[];
}

/**
 * What the expressions of one event (and, for document views, one document) see. The CEL forms of the
 * event and the document are built on first use: expressions that are literals or plain field paths
 * read the stored event directly (direct-access.ts), so many events never need them.
 */
class EvaluationScope {
  private variables: ExpressionVariables | undefined;

  constructor(
    readonly event: StoredEvent,
    private readonly documents?: ExpressionEnvironment,
    private readonly document?: ViewDocument,
  ) {}

  celVariables(): ExpressionVariables {
    this.variables ??= this.documents
      ? { event: celEvent(this.event), doc: this.documents.document(this.document) }
      : { event: celEvent(this.event) };
    return this.variables;
  }
}

/** An expression bound to where it was written, so failures name the field path and the source. */
class BoundExpression {
  constructor(
    readonly path: string,
    private readonly compiled: CompiledExpression,
  ) {}

  get scope(): CompiledExpression['scope'] {
    return this.compiled.scope;
  }

  evaluate(projection: string, scope: EvaluationScope): unknown {
    const direct = this.compiled.direct?.(scope.event) ?? INDIRECT;
    if (direct !== INDIRECT) return direct;
    try {
      return this.compiled.evaluate(scope.celVariables());
    } catch (error) {
      throw this.failure(projection, scope.event, evaluationReason(error));
    }
  }

  failure(projection: string, event: StoredEvent, reason: string): ProjectionEvaluationError {
    return new ProjectionEvaluationError(
      projection,
      event.type,
      `${this.path} (${JSON.stringify(this.compiled.source)}) at position ${event.position}: ${reason}`,
    );
  }

  /** Evaluate and convert to the declared type. */
  value(projection: string, scope: EvaluationScope, type: ValueType): JsonValue {
    const value = this.evaluate(projection, scope);
    try {
      return convertToDeclared(type, value);
    } catch (error) {
      throw this.failure(projection, scope.event, evaluationReason(error));
    }
  }

  condition(projection: string, scope: EvaluationScope): boolean {
    const value = this.evaluate(projection, scope);
    if (typeof value !== 'boolean')
      throw this.failure(projection, scope.event, `a condition must be a bool, got ${describeCel(value)}`);
    return value;
  }
}

function evaluationReason(error: unknown): string {
  if (error instanceof CelValueConversionError) return error.message;
  const summary = (error as { summary?: string }).summary;
  if (typeof summary === 'string') return summary;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function expressionsOf(checked: CheckedDefinition) {
  return (path: readonly PathSegment[]): BoundExpression => {
    const key = formatPath(path);
    const compiled = checked.expressions.get(key);
    // The validator compiled every expression of a checked definition; a miss is a bug in this file.
    if (!compiled) throw new Error(`internal: expression ${key} was not compiled`);
    return new BoundExpression(key, compiled);
  };
}

// ------------------------------------------------------------------------------------------------ documents

interface DocumentStep {
  readonly kind: 'upsert' | 'update' | 'delete';
  readonly key: BoundExpression;
  readonly when?: BoundExpression;
  readonly ifMissing: 'ignore' | 'fail';
  readonly set: readonly (readonly [string, BoundExpression, ValueType])[];
  readonly increment: readonly (readonly [string, BoundExpression, ValueType])[];
  readonly append: readonly (readonly [string, BoundExpression, ValueType])[];
}

class DocumentPlan implements Plan {
  private readonly name: string;
  private readonly steps: ReadonlyMap<string, readonly DocumentStep[]>;
  private readonly environment: ExpressionEnvironment;
  private readonly keyColumn: string;
  private readonly keyType: ValueType;
  private readonly fields: ReadonlyMap<string, ValueType>;
  /** Columns a new document must have (Postgres NOT NULL). */
  private readonly required: readonly string[];

  constructor(checked: CheckedDefinition) {
    const { definition } = checked;
    const target = definition.target as Exclude<TargetDefinition, { kind: 'neo4j' }>;
    const shape = documentShapeOf(target);
    this.name = definition.name;
    this.fields = shape.fields;
    this.keyColumn = shape.key;
    this.keyType = { ...shape.fields.get(shape.key)!, nullable: false };
    // the environment the expressions were compiled in: CEL knows `doc` values by its Doc class
    this.environment = checked.documentScope ?? ExpressionEnvironment.forDocuments(shape.fields);
    this.required =
      target.kind === 'postgres'
        ? [...shape.fields].filter(([, type]) => !type.nullable).map(([name]) => name)
        : [];
    const expression = expressionsOf(checked);
    this.steps = new Map(
      Object.entries(definition.handlers).map(([eventType, actions]) => [
        eventType,
        actions.map((action, index) => this.step(expression, ['handlers', eventType, index], action)),
      ]),
    );
  }

  private step(
    expression: (path: readonly PathSegment[]) => BoundExpression,
    base: readonly PathSegment[],
    action: ActionDefinition,
  ): DocumentStep {
    const kind = actionKind(action) as DocumentStep['kind'];
    const body = (action as Record<string, Record<string, unknown>>)[kind]!;
    const path = [...base, kind];
    const assignments = (part: 'set' | 'increment' | 'append') =>
      Object.keys((body[part] as Record<string, string> | undefined) ?? {}).map((name) => {
        const type = this.fields.get(name)!;
        const written =
          part === 'append' && type.array
            ? { ...type, array: false, nullable: false }
            : part === 'increment'
              ? { ...type, nullable: false }
              : type;
        return [name, expression([...path, part, name]), written] as const;
      });
    return {
      kind,
      key: expression([...path, 'key']),
      ...(body.when === undefined ? {} : { when: expression([...path, 'when']) }),
      ifMissing: (body.ifMissing as 'ignore' | 'fail' | undefined) ?? 'ignore',
      set: assignments('set'),
      increment: assignments('increment'),
      append: assignments('append'),
    };
  }

  keysOf(event: StoredEvent): readonly string[] {
    const steps = this.steps.get(event.type);
    if (!steps) return [];
    const scope = new EvaluationScope(event);
    if (steps.length === 1) {
      const step = steps[0]!;
      return this.skippedByEvent(step, scope) ? [] : [this.key(step, scope).key];
    }
    const keys = new Set<string>();
    for (const step of steps) if (!this.skippedByEvent(step, scope)) keys.add(this.key(step, scope).key);
    return [...keys];
  }

  /** A condition on the event alone is tested before the key is computed: a false one skips the action. */
  private skippedByEvent(step: DocumentStep, scope: EvaluationScope): boolean {
    return step.when?.scope === 'event' && !step.when.condition(this.name, scope);
  }

  private key(step: DocumentStep, scope: EvaluationScope): { key: DocumentKey; value: JsonValue } {
    const value = step.key.value(this.name, scope, this.keyType);
    return { key: keyText(value), value };
  }

  apply(event: StoredEvent, state: ReadonlyMap<DocumentKey, ViewDocument>): readonly ViewOperation[] {
    const steps = this.steps.get(event.type);
    if (!steps) return [];
    const eventScope = new EvaluationScope(event);
    // later actions of the same event see earlier ones' results; the caller's map is never changed
    const documents = new Map<DocumentKey, ViewDocument | undefined>();
    const operations: ViewOperation[] = [];
    for (const step of steps) {
      if (this.skippedByEvent(step, eventScope)) continue;
      const { key, value: keyValue } = this.key(step, eventScope);
      const document = documents.has(key) ? documents.get(key) : state.get(key);
      const scope = new EvaluationScope(event, this.environment, document);
      if (step.when?.scope === 'document' && !step.when.condition(this.name, scope)) continue;
      if (step.kind === 'delete') {
        documents.set(key, undefined);
        operations.push({ kind: 'delete', key, position: event.position });
        continue;
      }
      if (document === undefined && step.kind === 'update') {
        if (step.ifMissing === 'ignore') continue;
        throw step.key.failure(
          this.name,
          event,
          `no document with key ${JSON.stringify(key)} exists to update (ifMissing: fail)`,
        );
      }
      const next = this.write(step, scope, document, key, keyValue);
      documents.set(key, next);
      operations.push({ kind: 'put', key, document: next, position: event.position });
    }
    return operations;
  }

  private write(
    step: DocumentStep,
    scope: EvaluationScope,
    document: ViewDocument | undefined,
    key: DocumentKey,
    keyValue: JsonValue,
  ): ViewDocument {
    const event = scope.event;
    const next: Record<string, JsonValue> = { ...(document ?? {}), [this.keyColumn]: keyValue };
    for (const [name, expression, type] of step.set) next[name] = expression.value(this.name, scope, type);
    for (const [name, expression, type] of step.increment) {
      const amount = expression.value(this.name, scope, type) as number;
      const base = document?.[name];
      const sum = (typeof base === 'number' ? base : 0) + amount;
      if (isIntKind(type.kind) && !Number.isSafeInteger(sum)) {
        throw expression.failure(
          this.name,
          event,
          `${name} would become ${sum}, outside the safe integer range`,
        );
      }
      next[name] = sum;
    }
    for (const [name, expression, type] of step.append) {
      const element = expression.value(this.name, scope, type);
      const base = document?.[name];
      next[name] = [...(Array.isArray(base) ? base : []), element];
    }
    if (document === undefined) {
      const missing = this.required.filter((name) => next[name] === undefined || next[name] === null);
      if (missing.length > 0) {
        throw step.key.failure(
          this.name,
          event,
          `creating document ${JSON.stringify(key)} leaves NOT NULL column(s) ${missing.join(', ')} unset`,
        );
      }
    }
    return next;
  }
}

// ------------------------------------------------------------------------------------------------ graphs

type GraphStep =
  | {
      readonly kind: 'mergeNode' | 'deleteNode';
      readonly when?: BoundExpression;
      readonly node: NodeEnd;
      readonly set: Assignments;
    }
  | {
      readonly kind: 'mergeRelationship' | 'deleteRelationship';
      readonly when?: BoundExpression;
      readonly type: string;
      readonly from: NodeEnd;
      readonly to: NodeEnd;
      readonly set: Assignments;
    };

interface NodeEnd {
  readonly label: string;
  readonly key: BoundExpression;
  readonly keyType: ValueType;
}
type Assignments = readonly (readonly [string, BoundExpression, ValueType])[];

class GraphPlan implements Plan {
  private readonly name: string;
  private readonly steps: ReadonlyMap<string, readonly GraphStep[]>;

  constructor(checked: CheckedDefinition, target: Neo4jTargetDefinition) {
    this.name = checked.definition.name;
    const expression = expressionsOf(checked);
    const end = (label: string, path: readonly PathSegment[]): NodeEnd => {
      const node = target.nodes[label]!;
      return { label, key: expression(path), keyType: graphValueType(node.properties[node.key]!, false) };
    };
    const assignments = (
      path: readonly PathSegment[],
      set: Readonly<Record<string, string>> | undefined,
      properties: Readonly<Record<string, string>>,
    ): Assignments =>
      Object.keys(set ?? {}).map(
        (name) => [name, expression([...path, name]), graphValueType(properties[name] as never)] as const,
      );

    this.steps = new Map(
      Object.entries(checked.definition.handlers).map(([eventType, actions]) => [
        eventType,
        actions.map((action, index): GraphStep => {
          const kind = actionKind(action);
          const path = ['handlers', eventType, index, kind];
          const body = (action as Record<string, GraphBody>)[kind]!;
          const when = body.when === undefined ? {} : { when: expression([...path, 'when']) };
          if (kind === 'mergeNode' || kind === 'deleteNode') {
            const label = body.label!;
            return {
              kind,
              ...when,
              node: end(label, [...path, 'key']),
              set: assignments([...path, 'set'], body.set, target.nodes[label]!.properties),
            };
          }
          const type = body.type!;
          const relationship = target.relationships[type]!;
          return {
            kind: kind as 'mergeRelationship' | 'deleteRelationship',
            ...when,
            type,
            from: end(relationship.from, [...path, 'from', 'key']),
            to: end(relationship.to, [...path, 'to', 'key']),
            set: assignments([...path, 'set'], body.set, relationship.properties),
          };
        }),
      ]),
    );
  }

  keysOf(event: StoredEvent): readonly string[] {
    const steps = this.steps.get(event.type);
    if (!steps) return [];
    const scope = new EvaluationScope(event);
    const keys = new Set<string>();
    for (const step of steps) {
      // a skipped action touches nothing, and its keys may not even exist in the event
      if (step.when && !step.when.condition(this.name, scope)) continue;
      const ends = 'node' in step ? [step.node] : [step.from, step.to];
      for (const end of ends) {
        const node = this.nodeRef(end, scope);
        keys.add(`${node.label}:${node.key}`);
      }
    }
    return [...keys];
  }

  apply(event: StoredEvent): readonly ViewOperation[] {
    const steps = this.steps.get(event.type);
    if (!steps) return [];
    const scope = new EvaluationScope(event);
    const operations: ViewOperation[] = [];
    const position = event.position;
    for (const step of steps) {
      if (step.when && !step.when.condition(this.name, scope)) continue;
      const set = () =>
        Object.fromEntries(
          step.set.map(([name, expression, type]) => [name, expression.value(this.name, scope, type)]),
        );
      switch (step.kind) {
        case 'mergeNode':
          operations.push({
            kind: 'mergeNode',
            node: this.nodeRef(step.node, scope),
            set: set(),
            position,
          });
          break;
        case 'deleteNode':
          operations.push({ kind: 'deleteNode', node: this.nodeRef(step.node, scope), position });
          break;
        case 'mergeRelationship':
          operations.push({
            kind: 'mergeRelationship',
            type: step.type,
            from: this.nodeRef(step.from, scope),
            to: this.nodeRef(step.to, scope),
            set: set(),
            position,
          });
          break;
        case 'deleteRelationship':
          operations.push({
            kind: 'deleteRelationship',
            type: step.type,
            from: this.nodeRef(step.from, scope),
            to: this.nodeRef(step.to, scope),
            position,
          });
          break;
      }
    }
    return operations;
  }

  private nodeRef(end: NodeEnd, scope: EvaluationScope): NodeRef {
    const value = end.key.value(this.name, scope, end.keyType);
    return { label: end.label, key: typeof value === 'number' ? value : keyText(value) };
  }
}

interface GraphBody {
  readonly label?: string;
  readonly type?: string;
  readonly when?: string;
  readonly set?: Readonly<Record<string, string>>;
}
