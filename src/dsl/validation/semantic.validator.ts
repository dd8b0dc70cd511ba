/**
 * Checks of meaning that a schema cannot express. It works section by section on whatever parsed (see
 * definition.validator.ts), so one structural mistake does not hide the other problems of the file; checks
 * that need a section that did not parse are skipped, not guessed. The checks live by what they check:
 * handler.checks.ts (handlers against the source, actions against the view), document-action.checks.ts,
 * graph-action.checks.ts, expression.checker.ts (expression typing); the target and query checks are here.
 */
import type { JsonValue } from '../../core/json';
import { didYouMean } from '../errors/suggest';
import type { CompiledExpressions } from '../expressions/compiled-expressions';
import type { ExpressionEnvironment } from '../expressions/expression-environment';
import type { QueryDefinition, SourceDefinition, TargetDefinition } from '../model/definition.schema';
import type { PathSegment } from '../source/source-locator';
import type { ActionCheckContext } from './action-checks';
import { analyzeCypher } from './cypher-read-only';
import { DocumentActionChecks } from './document-action.checks';
import { ExpressionChecker } from './expression.checker';
import { GraphActionChecks } from './graph-action.checks';
import {
  checkHandlerActions,
  checkHandlersAgainstSource,
  checkSourceEvents,
  type ParsedHandlers,
} from './handler.checks';
import type { Problems } from './problems';
import { analyzeSearchTemplate } from './search-template';

/** The sections of a definition that passed the schema (absent ones failed and were reported already). */
export interface ParsedSections {
  readonly source?: SourceDefinition;
  readonly target?: TargetDefinition;
  /** Target declarations that failed the schema (see target-salvage.ts): written to, but not type-checked. */
  readonly untyped: ReadonlySet<string>;
  /** Every handler written, by event type, its actions tagged; undefined when an action failed the schema. */
  readonly handlers: ParsedHandlers;
  readonly queries: ReadonlyMap<string, QueryDefinition | undefined>;
}

export interface SemanticResult {
  readonly expressions: CompiledExpressions;
  /** The environment document expressions were compiled in (their `doc` values must come from it). */
  readonly documentScope?: ExpressionEnvironment;
}

export function validateSemantics(sections: ParsedSections, problems: Problems): SemanticResult {
  return new SemanticValidator(sections, problems).run();
}

class SemanticValidator {
  constructor(
    private readonly sections: ParsedSections,
    private readonly problems: Problems,
  ) {}

  run(): SemanticResult {
    const { sections, problems } = this;
    const context: ActionCheckContext = {
      problems,
      expressions: new ExpressionChecker(problems),
      untyped: sections.untyped,
    };
    checkSourceEvents(sections.source, problems);
    checkHandlersAgainstSource(sections.source, sections.handlers, problems);
    const target = sections.target;
    let documentScope: ExpressionEnvironment | undefined;
    if (target) {
      this.checkTargetShape(target);
      const checks =
        target.kind === 'neo4j'
          ? new GraphActionChecks(context, target)
          : new DocumentActionChecks(context, target);
      if (checks.family === 'document') documentScope = checks.documentScope;
      checkHandlerActions(sections.handlers, checks, problems);
      for (const [name, query] of sections.queries) if (query) this.checkQuery(target, name, query);
    }
    return { expressions: context.expressions.compiled, ...(documentScope ? { documentScope } : {}) };
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
