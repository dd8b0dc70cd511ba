/**
 * Checks of meaning that a schema cannot express: handlers against the source, writes against the declared
 * target shape, expressions against the CEL checker, queries against their target. It works section by
 * section on whatever parsed (see definition.validator.ts), so one structural mistake does not hide the
 * other problems of the file; checks that need a section that did not parse are skipped, not guessed.
 */
import type { JsonValue } from '../../core/json';
import { didYouMean, listNames } from '../errors/suggest';
import {
  ExpressionEnvironment,
  isExpressionProblem,
  type CompiledExpression,
} from '../expressions/expression-environment';
import {
  elasticsearchValueType,
  graphValueType,
  isNumericKind,
  postgresValueType,
  staticMismatch,
  type ValueType,
} from '../expressions/value-types';
import {
  DOCUMENT_ACTION_KINDS,
  type ActionDefinition,
  type ActionKind,
  type Neo4jTargetDefinition,
  type QueryDefinition,
  type SourceDefinition,
  type TargetDefinition,
} from '../model/definition.schema';
import { formatPath, type PathSegment } from '../source/source-locator';
import { analyzeCypher } from './cypher-read-only';
import { expressionLimitProblem } from './expression-limits';
import type { Problems } from './problems';
import { analyzeSearchTemplate } from './search-template';

/** The sections of a definition that passed the schema (absent ones failed and were reported already). */
export interface ParsedSections {
  readonly source?: SourceDefinition;
  readonly target?: TargetDefinition;
  /** Target declarations that failed the schema (see target-salvage.ts): written to, but not type-checked. */
  readonly untyped: ReadonlySet<string>;
  /** Every handler written, by event type; an action is undefined when it failed the schema. */
  readonly handlers: ReadonlyMap<string, readonly (ActionDefinition | undefined)[]>;
  readonly queries: ReadonlyMap<string, QueryDefinition | undefined>;
}

/** What a document view's writes are checked against. */
interface DocumentShape {
  readonly noun: 'column' | 'field';
  readonly owner: string;
  readonly key: string;
  readonly fields: ReadonlyMap<string, ValueType>;
  readonly unknownCode: 'unknown-column' | 'unknown-field';
}

/** Compiled expressions by field path (formatPath), for the compiler: each is parsed and checked once. */
export type ExpressionTable = Map<string, CompiledExpression>;

export interface SemanticResult {
  readonly expressions: ExpressionTable;
  /** The environment document expressions were compiled in (their `doc` values must come from it). */
  readonly documentScope?: ExpressionEnvironment;
}

export function validateSemantics(sections: ParsedSections, problems: Problems): SemanticResult {
  return new SemanticValidator(sections, problems).run();
}

class SemanticValidator {
  private readonly expressions: ExpressionTable = new Map();
  private readonly eventScope = ExpressionEnvironment.forEvents();
  private documentScope: ExpressionEnvironment | undefined;
  private documentShape: DocumentShape | undefined;

  constructor(
    private readonly sections: ParsedSections,
    private readonly problems: Problems,
  ) {}

  run(): SemanticResult {
    this.checkSource();
    this.checkHandlersAgainstSource();
    const target = this.sections.target;
    if (target) {
      this.checkTargetShape(target);
      if (target.kind === 'neo4j') {
        for (const [eventType, actions] of this.sections.handlers)
          this.checkGraphActions(target, eventType, actions);
      } else {
        this.documentShape = documentShapeOf(target);
        this.documentScope = ExpressionEnvironment.forDocuments(this.documentShape.fields);
        for (const [eventType, actions] of this.sections.handlers)
          this.checkDocumentActions(target.kind, eventType, actions);
      }
      for (const [name, query] of this.sections.queries) if (query) this.checkQuery(target, name, query);
    }
    return {
      expressions: this.expressions,
      ...(this.documentScope ? { documentScope: this.documentScope } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------- source

  private checkSource(): void {
    const events = this.sections.source?.events ?? [];
    const seen = new Set<string>();
    events.forEach((eventType, index) => {
      if (seen.has(eventType)) {
        this.problems.add(
          'duplicate-event-type',
          ['source', 'events', index],
          `event type "${eventType}" is listed twice`,
        );
      }
      seen.add(eventType);
    });
  }

  private checkHandlersAgainstSource(): void {
    const source = this.sections.source;
    if (!source) return;
    const events = new Set(source.events);
    for (const eventType of this.sections.handlers.keys()) {
      if (events.has(eventType)) continue;
      this.problems.add(
        'handler-for-unknown-event',
        ['handlers', eventType],
        `handler for "${eventType}", which is not in source.events (${source.events.join(', ')}); events outside the source never reach the projection`,
        {
          at: 'key',
          suggestion: didYouMean(eventType, source.events) ?? `add "${eventType}" to source.events`,
        },
      );
    }
    source.events.forEach((eventType, index) => {
      if (!this.sections.handlers.has(eventType)) {
        this.problems.warn(
          'event-without-handler',
          ['source', 'events', index],
          `event type "${eventType}" is read but has no handler, so it changes nothing`,
        );
      }
    });
  }

  // -------------------------------------------------------------------------------------------- target

  private checkTargetShape(target: TargetDefinition): void {
    switch (target.kind) {
      case 'postgres': {
        const columns = Object.keys(target.columns);
        const key = target.columns[target.key];
        if (!key) {
          this.problems.add(
            'key-not-declared',
            ['target', 'key'],
            `key column "${target.key}" is not declared in target.columns`,
            {
              suggestion: didYouMean(target.key, columns) ?? `declare it: ${target.key}: { type: text }`,
            },
          );
        } else if (key.nullable) {
          this.problems.add(
            'key-nullable',
            ['target', 'columns', target.key, 'nullable'],
            `key column "${target.key}" cannot be nullable`,
          );
        }
        target.indexes.forEach((index, i) =>
          index.columns.forEach((column, j) => {
            if (!(column in target.columns)) {
              this.problems.add(
                'unknown-column',
                ['target', 'indexes', i, 'columns', j],
                `index column "${column}" is not a column of table ${target.table}`,
                {
                  suggestion: didYouMean(column, columns),
                },
              );
            }
          }),
        );
        return;
      }
      case 'elasticsearch': {
        const fields = Object.keys(target.fields);
        const id = target.fields[target.id];
        if (!id) {
          this.problems.add(
            'key-not-declared',
            ['target', 'id'],
            `id field "${target.id}" is not declared in target.fields`,
            {
              suggestion: didYouMean(target.id, fields) ?? `declare it: ${target.id}: { type: keyword }`,
            },
          );
        } else if (id.array) {
          this.problems.add(
            'key-nullable',
            ['target', 'fields', target.id, 'array'],
            `id field "${target.id}" cannot be an array`,
          );
        }
        for (const [name, field] of Object.entries(target.fields)) {
          for (const option of ['analyzer', 'searchAnalyzer'] as const) {
            if (field[option] !== undefined && field.type !== 'text')
              this.problems.add(
                'invalid-value',
                ['target', 'fields', name, option],
                `field "${name}" is ${field.type}: only text fields are analyzed`,
                { suggestion: `remove ${option}, or make the field type: text` },
              );
          }
          if (field.facet && field.type === 'text') {
            this.problems.add(
              'facet-not-aggregatable',
              ['target', 'fields', name, 'facet'],
              `field "${name}" is text (analyzed), which Elasticsearch cannot aggregate into facets`,
              {
                suggestion: 'use type: keyword for facets',
              },
            );
          }
        }
        return;
      }
      case 'neo4j': {
        const labels = Object.keys(target.nodes);
        for (const [label, node] of Object.entries(target.nodes)) {
          if (!(node.key in node.properties)) {
            this.problems.add(
              'key-not-declared',
              ['target', 'nodes', label, 'key'],
              `key property "${node.key}" is not declared in the properties of ${label}`,
              {
                suggestion:
                  didYouMean(node.key, Object.keys(node.properties)) ?? `declare it: ${node.key}: string`,
              },
            );
          }
        }
        for (const [type, relationship] of Object.entries(target.relationships)) {
          for (const end of ['from', 'to'] as const) {
            if (!(relationship[end] in target.nodes)) {
              this.problems.add(
                'unknown-label',
                ['target', 'relationships', type, end],
                `relationship ${type} ${end === 'from' ? 'starts at' : 'ends at'} label "${relationship[end]}", which is not declared in target.nodes (${labels.join(', ')})`,
                {
                  suggestion: didYouMean(relationship[end], labels),
                },
              );
            }
          }
        }
        return;
      }
    }
  }

  // -------------------------------------------------------------------------------------------- document actions

  private checkDocumentActions(
    targetKind: 'postgres' | 'elasticsearch',
    eventType: string,
    actions: readonly (ActionDefinition | undefined)[],
  ): void {
    const shape = this.documentShape!;
    actions.forEach((action, index) => {
      if (!action) return;
      const kind = actionKind(action);
      const base: PathSegment[] = ['handlers', eventType, index, kind];
      if (!DOCUMENT_ACTION_KINDS.includes(kind)) {
        this.problems.add(
          'action-not-for-target',
          base,
          `"${kind}" is a graph action, but this is a ${targetKind} view; use upsert, update or delete`,
          { at: 'key' },
        );
        return;
      }
      const body = (action as Record<string, DocumentBody>)[kind]!;
      const keyType = shape.fields.get(shape.key);
      this.expression(
        [...base, 'key'],
        body.key,
        this.eventScope,
        keyType && { ...keyType, nullable: false },
        `key ${shape.noun} "${shape.key}"`,
      );
      if (body.when !== undefined) this.condition([...base, 'when'], body.when, this.documentScope!);
      if (kind === 'delete') return;

      const written = new Map<string, string>();
      for (const part of ['set', 'increment', 'append'] as const) {
        for (const [name, source] of Object.entries(body[part] ?? {})) {
          const path = [...base, part, name];
          const type = shape.fields.get(name);
          if (!type) {
            this.problems.add(
              shape.unknownCode,
              path,
              `${shape.noun} "${name}" is not a ${shape.noun} of ${shape.owner}`,
              {
                at: 'key',
                suggestion: didYouMean(name, shape.fields.keys()),
              },
            );
            continue;
          }
          if (name === shape.key) {
            this.problems.add(
              'key-column-written',
              path,
              `"${name}" is the key ${shape.noun}: its value comes from "key"; remove it from ${part}`,
              { at: 'key' },
            );
            continue;
          }
          const earlier = written.get(name);
          if (earlier !== undefined) {
            this.problems.add(
              'field-written-twice',
              path,
              `${shape.noun} "${name}" is already written by ${earlier}; write each ${shape.noun} once per action`,
              { at: 'key' },
            );
            continue;
          }
          written.set(name, part);
          if (this.sections.untyped.has(name)) this.compile(path, source, this.documentScope!);
          else this.checkWrite(part, path, source, name, type);
        }
      }
      if (kind === 'update' && written.size === 0) {
        this.problems.add('empty-action', base, 'update changes nothing; add set, increment or append', {
          at: 'key',
        });
      }
      if (kind === 'upsert' && targetKind === 'postgres') {
        const unset = [...shape.fields]
          .filter(
            ([name, type]) =>
              name !== shape.key && !type.nullable && !written.has(name) && !this.sections.untyped.has(name),
          )
          .map(([name]) => name);
        if (unset.length > 0) {
          this.problems.warn(
            'not-null-unset',
            base,
            `creating a row here leaves NOT NULL column(s) ${listNames(unset, 'and')} unset, so the insert would fail (a poison event)`,
            {
              at: 'key',
              suggestion: 'set them in this upsert, or declare them nullable: true',
            },
          );
        }
      }
    });
  }

  private checkWrite(
    part: 'set' | 'increment' | 'append',
    path: readonly PathSegment[],
    source: string,
    name: string,
    type: ValueType,
  ): void {
    const shape = this.documentShape!;
    const label = `${shape.noun} "${name}" (${type.declared})`;
    if (part === 'increment') {
      if (!isNumericKind(type.kind) || type.array) {
        this.problems.add(
          'increment-not-numeric',
          path,
          `cannot increment ${label}: only integer and floating-point ${shape.noun}s can be incremented`,
          { at: 'key' },
        );
        return;
      }
      this.expression(
        path,
        source,
        this.documentScope!,
        { ...type, nullable: false },
        `increment of ${label}`,
      );
    } else if (part === 'append') {
      if (!type.array && type.kind !== 'json') {
        this.problems.add(
          'append-not-array',
          path,
          `cannot append to ${label}: only array fields and jsonb columns hold lists`,
          { at: 'key' },
        );
        return;
      }
      const element: ValueType = type.array ? { ...type, array: false, nullable: false } : type;
      this.expression(path, source, this.documentScope!, element, `element appended to ${label}`);
    } else {
      this.expression(path, source, this.documentScope!, type, label);
    }
  }

  // -------------------------------------------------------------------------------------------- graph actions

  private checkGraphActions(
    target: Neo4jTargetDefinition,
    eventType: string,
    actions: readonly (ActionDefinition | undefined)[],
  ): void {
    const labels = Object.keys(target.nodes);
    const types = Object.keys(target.relationships);
    actions.forEach((action, index) => {
      if (!action) return;
      const kind = actionKind(action);
      const base: PathSegment[] = ['handlers', eventType, index, kind];
      if (DOCUMENT_ACTION_KINDS.includes(kind)) {
        this.problems.add(
          'action-not-for-target',
          base,
          `"${kind}" is a document action, but this is a neo4j view; use mergeNode, mergeRelationship, deleteNode or deleteRelationship`,
          { at: 'key' },
        );
        return;
      }
      const body = (action as Record<string, GraphBody>)[kind]!;
      if (body.when !== undefined) this.condition([...base, 'when'], body.when, this.eventScope);

      if (kind === 'mergeNode' || kind === 'deleteNode') {
        const label = body.label!;
        const node = target.nodes[label];
        if (!node) {
          this.problems.add(
            'unknown-label',
            [...base, 'label'],
            `label "${label}" is not declared in target.nodes (${labels.join(', ')})`,
            { suggestion: didYouMean(label, labels) },
          );
          return;
        }
        const keyType = node.properties[node.key];
        this.expression(
          [...base, 'key'],
          body.key!,
          this.eventScope,
          keyType && graphValueType(keyType, false),
          `key property "${node.key}" of ${label}`,
        );
        this.checkProperties([...base, 'set'], body.set, node.properties, label, `node ${label}`, node.key);
        return;
      }

      const relationshipType = body.type!;
      const relationship = target.relationships[relationshipType];
      if (!relationship) {
        this.problems.add(
          'unknown-relationship-type',
          [...base, 'type'],
          `relationship type "${relationshipType}" is not declared in target.relationships (${types.join(', ') || 'none'})`,
          {
            suggestion: didYouMean(relationshipType, types),
          },
        );
        return;
      }
      for (const end of ['from', 'to'] as const) {
        const match = body[end]!;
        const declared = relationship[end];
        if (match.label !== undefined && match.label !== declared) {
          this.problems.add(
            'label-mismatch',
            [...base, end, 'label'],
            `relationship ${relationshipType} ${end === 'from' ? 'starts at' : 'ends at'} ${declared}, not ${match.label}`,
            {
              suggestion: `write label: ${declared}, or leave the label out`,
            },
          );
          continue;
        }
        const node = target.nodes[declared];
        const keyType = node?.properties[node.key];
        this.expression(
          [...base, end, 'key'],
          match.key,
          this.eventScope,
          keyType && graphValueType(keyType, false),
          node ? `key property "${node.key}" of ${declared}` : 'node key',
        );
      }
      this.checkProperties(
        [...base, 'set'],
        body.set,
        relationship.properties,
        relationshipType,
        `relationship ${relationshipType}`,
      );
    });
  }

  private checkProperties(
    base: readonly PathSegment[],
    set: Readonly<Record<string, string>> | undefined,
    properties: Readonly<Record<string, Neo4jTargetDefinition['nodes'][string]['properties'][string]>>,
    declaredBy: string,
    owner: string,
    key?: string,
  ): void {
    const declared = Object.keys(properties);
    for (const [name, source] of Object.entries(set ?? {})) {
      const path = [...base, name];
      const type = properties[name];
      if (!type) {
        this.problems.add(
          'unknown-property',
          path,
          `property "${name}" is not declared for ${owner} (${declared.join(', ') || 'no properties'})`,
          {
            at: 'key',
            suggestion: didYouMean(name, declared),
          },
        );
      } else if (name === key) {
        this.problems.add(
          'key-column-written',
          path,
          `"${name}" is the node key: its value comes from "key"; remove it from set`,
          { at: 'key' },
        );
      } else if (this.sections.untyped.has(`${declaredBy}.${name}`)) {
        this.compile(path, source, this.eventScope);
      } else {
        this.expression(path, source, this.eventScope, graphValueType(type), `property "${name}" (${type})`);
      }
    }
  }

  // -------------------------------------------------------------------------------------------- expressions

  private expression(
    path: readonly PathSegment[],
    source: string,
    scope: ExpressionEnvironment,
    expected: ValueType | undefined,
    what: string,
  ): void {
    const compiled = this.compile(path, source, scope);
    if (!compiled || !expected) return;
    const mismatch = staticMismatch(expected, compiled.type);
    if (mismatch) this.problems.add('expression-type', path, `${what}: ${mismatch}`);
  }

  private condition(path: readonly PathSegment[], source: string, scope: ExpressionEnvironment): void {
    // A condition that reads only `event` is compiled in the event scope, so the compiler can test it
    // before the action's key is computed (`when: has(event.data.x)` guards `key: event.data.x`).
    const eventOnly =
      scope !== this.eventScope && !expressionLimitProblem(source)
        ? this.eventScope.compile(source)
        : undefined;
    const compiled =
      eventOnly && !isExpressionProblem(eventOnly)
        ? this.remember(path, eventOnly)
        : this.compile(path, source, scope);
    if (compiled && compiled.type !== 'bool' && compiled.type !== 'dyn') {
      this.problems.add(
        'expression-type',
        path,
        `a condition must return bool, but the expression returns ${compiled.type}`,
      );
    }
  }

  private compile(
    path: readonly PathSegment[],
    source: string,
    scope: ExpressionEnvironment,
  ): CompiledExpression | undefined {
    const tooLarge = expressionLimitProblem(source);
    if (tooLarge) {
      this.problems.add('limit-exceeded', path, tooLarge.message, { offset: tooLarge.offset });
      return undefined;
    }
    const result = scope.compile(source);
    if (isExpressionProblem(result)) {
      this.problems.add(result.code, path, result.message, {
        offset: result.offset,
        suggestion: result.suggestion,
      });
      return undefined;
    }
    return this.remember(path, result);
  }

  private remember(path: readonly PathSegment[], compiled: CompiledExpression): CompiledExpression {
    this.expressions.set(formatPath(path), compiled);
    return compiled;
  }

  // -------------------------------------------------------------------------------------------- queries

  private checkQuery(target: TargetDefinition, name: string, query: QueryDefinition): void {
    const base = ['queries', name];
    if (target.kind === 'postgres') {
      this.problems.add(
        'query-not-supported',
        base,
        'named queries are for neo4j (cypher) and elasticsearch (search) views; PostgreSQL views are read through the relational API',
        { at: 'key' },
      );
      return;
    }
    const wanted = target.kind === 'neo4j' ? 'cypher' : 'search';
    const other = target.kind === 'neo4j' ? 'search' : 'cypher';
    if (query[other] !== undefined) {
      this.problems.add(
        'query-not-supported',
        [...base, other],
        `${target.kind === 'elasticsearch' ? 'an' : 'a'} ${target.kind} view's queries are written as "${wanted}", not "${other}"`,
        { at: 'key' },
      );
    }
    for (const [parameter, declaration] of Object.entries(query.parameters)) {
      if (declaration.default !== undefined && !defaultMatches(declaration.type, declaration.default)) {
        this.problems.add(
          'parameter-default-type',
          [...base, 'parameters', parameter, 'default'],
          `default ${JSON.stringify(declaration.default)} is not ${declaration.type === 'integer' ? 'an' : 'a'} ${declaration.type}`,
        );
      }
    }
    if (target.kind === 'neo4j' && query.cypher !== undefined) this.checkCypher(base, query.cypher, query);
    else if (target.kind === 'elasticsearch' && query.search !== undefined)
      this.checkSearch(base, query.search, query, Object.keys(target.fields));
    else if (query[wanted] === undefined) {
      this.problems.add(
        'query-text-missing',
        base,
        `required field "${wanted}" is missing (the ${target.kind} query text)`,
        { at: 'key' },
      );
    }
  }

  private checkCypher(base: readonly PathSegment[], cypher: string, query: QueryDefinition): void {
    const path = [...base, 'cypher'];
    const analysis = analyzeCypher(cypher);
    for (const finding of analysis.findings) {
      this.problems.add(
        finding.kind === 'syntax' ? 'query-syntax' : 'query-write-clause',
        path,
        finding.message,
        { offset: finding.offset },
      );
    }
    const declared = Object.keys(query.parameters);
    for (const [parameter, offset] of analysis.parameters) {
      if (!(parameter in query.parameters)) {
        this.problems.add(
          'query-undeclared-parameter',
          path,
          `parameter $${parameter} is not declared in parameters`,
          {
            offset,
            suggestion: didYouMean(parameter, declared) ?? `declare it: ${parameter}: { type: string }`,
          },
        );
      }
    }
    for (const parameter of declared) {
      if (!analysis.parameters.has(parameter)) {
        this.problems.add(
          'query-unused-parameter',
          [...base, 'parameters', parameter],
          `parameter "${parameter}" is declared but the query never uses $${parameter}`,
          { at: 'key' },
        );
      }
    }
  }

  private checkSearch(
    base: readonly PathSegment[],
    search: Readonly<Record<string, JsonValue>>,
    query: QueryDefinition,
    fields: readonly string[],
  ): void {
    const path = [...base, 'search'];
    const analysis = analyzeSearchTemplate(search);
    for (const finding of analysis.findings) {
      this.problems.add(
        finding.kind === 'forbidden' ? 'query-forbidden' : 'query-parameter-placement',
        [...path, ...finding.path],
        finding.message,
        { at: finding.isKey ? 'key' : 'value' },
      );
    }
    for (const count of analysis.counts) {
      const type = query.parameters[count.name]?.type;
      if (type !== undefined && type !== 'integer') {
        this.problems.add(
          'query-parameter-placement',
          [...path, ...count.path],
          `"${String(count.path[count.path.length - 1])}" takes a number of hits, but parameter "${count.name}" is a ${type}`,
          { suggestion: `declare it as ${count.name}: { type: integer }` },
        );
      }
    }
    const declared = Object.keys(query.parameters);
    const used = new Set<string>();
    for (const reference of analysis.parameters) {
      used.add(reference.name);
      if (!(reference.name in query.parameters)) {
        this.problems.add(
          'query-undeclared-parameter',
          [...path, ...reference.path],
          `parameter {{${reference.name}}} is not declared in parameters`,
          {
            at: reference.isKey ? 'key' : 'value',
            suggestion:
              didYouMean(reference.name, declared) ?? `declare it: ${reference.name}: { type: string }`,
          },
        );
      }
    }
    for (const parameter of declared) {
      if (!used.has(parameter)) {
        this.problems.add(
          'query-unused-parameter',
          [...base, 'parameters', parameter],
          `parameter "${parameter}" is declared but the template never uses {{${parameter}}}`,
          { at: 'key' },
        );
      }
    }
    for (const reference of analysis.fields) {
      if (!fields.includes(reference.name)) {
        this.problems.add(
          'query-unknown-field',
          [...path, ...reference.path],
          `field "${reference.name}" is not a field of this index (${fields.join(', ')})`,
          {
            at: reference.isKey ? 'key' : 'value',
            suggestion: didYouMean(reference.name, fields),
          },
        );
      }
    }
  }
}

interface DocumentBody {
  readonly key: string;
  readonly when?: string;
  readonly set?: Readonly<Record<string, string>>;
  readonly increment?: Readonly<Record<string, string>>;
  readonly append?: Readonly<Record<string, string>>;
}

interface GraphBody {
  readonly label?: string;
  readonly key?: string;
  readonly type?: string;
  readonly from?: { readonly label?: string; readonly key: string };
  readonly to?: { readonly label?: string; readonly key: string };
  readonly when?: string;
  readonly set?: Readonly<Record<string, string>>;
}

export function actionKind(action: ActionDefinition): ActionKind {
  return Object.keys(action)[0] as ActionKind;
}

export function documentShapeOf(target: Exclude<TargetDefinition, { kind: 'neo4j' }>): DocumentShape {
  if (target.kind === 'postgres') {
    return {
      noun: 'column',
      owner: `table ${target.table}`,
      key: target.key,
      fields: new Map(
        Object.entries(target.columns).map(([name, column]) => [
          name,
          postgresValueType(column.type, column.nullable),
        ]),
      ),
      unknownCode: 'unknown-column',
    };
  }
  return {
    noun: 'field',
    owner: `index ${target.index}`,
    key: target.id,
    fields: new Map(
      Object.entries(target.fields).map(([name, field]) => [
        name,
        elasticsearchValueType(field.type, field.array),
      ]),
    ),
    unknownCode: 'unknown-field',
  };
}

function defaultMatches(
  type: 'string' | 'integer' | 'float' | 'boolean',
  value: string | number | boolean,
): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
  }
}
