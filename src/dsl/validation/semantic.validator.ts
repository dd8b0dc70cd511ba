/**
 * Checks of meaning that a schema cannot express. It works section by section on whatever parsed (see
 * definition.validator.ts), so one structural mistake does not hide the other problems of the file; checks
 * that need a section that did not parse are skipped, not guessed. The checks live by what they check:
 * handler.checks.ts (handlers against the source, actions against the view), document-action.checks.ts,
 * graph-action.checks.ts, expression.checker.ts (expression typing); the query checks are here. The target
 * section's own checks are its store's (target-section.ts), and so are a query text's (its language's).
 */
import { findStoreModule } from '../../stores/registry';
import type { TargetSection } from '../../stores/store-dsl';
import type { CompiledExpressions } from '../expressions/compiled-expressions';
import type { EventDataTypes } from '../expressions/event-data-types';
import type { ExpressionEnvironment } from '../expressions/expression-environment';
import type { LookupsDefinition, QueryDefinition, SourceDefinition } from '../model/definition.schema';
import { queryLanguages, storeDslOf, targetViewOf } from '../model/store-sections';
import type { ActionCheckContext } from './action-checks';
import { DocumentActionChecks } from './document-action.checks';
import { ExpressionChecker } from './expression.checker';
import { GraphActionChecks } from './graph-action.checks';
import { LookupChecks } from './lookup.checks';
import {
  checkHandlerActions,
  checkHandlersAgainstSource,
  checkSourceEvents,
  type ParsedHandlers,
} from './handler.checks';
import type { Problems } from './problems';

/** The sections of a definition that passed the schema (absent ones failed and were reported already). */
export interface ParsedSections {
  readonly source?: SourceDefinition;
  readonly target?: TargetSection;
  /** Target declarations that failed the schema (see target-section.ts): written to, but not type-checked. */
  readonly untyped: ReadonlySet<string>;
  /** Every handler written, by event type, its actions tagged; undefined when an action failed the schema. */
  readonly handlers: ParsedHandlers;
  readonly queries: ReadonlyMap<string, QueryDefinition | undefined>;
  /** The declared lookups (absent: none, or the section failed the schema). */
  readonly lookups?: LookupsDefinition;
}

export interface SemanticResult {
  readonly expressions: CompiledExpressions;
  /** The environment document expressions were compiled in (their `doc` values must come from it). */
  readonly documentScope?: ExpressionEnvironment;
}

export interface SemanticOptions {
  /** The payload types of a catalogued event type (issue #16): `event.data` is typed per handler. */
  readonly payloadTypes?: (eventType: string) => EventDataTypes | undefined;
}

export function validateSemantics(
  sections: ParsedSections,
  problems: Problems,
  options: SemanticOptions = {},
): SemanticResult {
  return new SemanticValidator(sections, problems, options).run();
}

class SemanticValidator {
  constructor(
    private readonly sections: ParsedSections,
    private readonly problems: Problems,
    private readonly options: SemanticOptions,
  ) {}

  run(): SemanticResult {
    const { sections, problems } = this;
    const context: ActionCheckContext = {
      problems,
      expressions: new ExpressionChecker(problems, this.options.payloadTypes, sections.lookups),
      untyped: sections.untyped,
    };
    checkSourceEvents(sections.source, problems);
    checkHandlersAgainstSource(sections.source, sections.handlers, problems);
    const target = sections.target;
    let documentScope: ExpressionEnvironment | undefined;
    if (target) {
      // the section's own checks ran already (target-section.ts); here: what the actions write to it
      const view = targetViewOf(target);
      const checks =
        view.family === 'graph'
          ? new GraphActionChecks(context, target.kind, view)
          : new DocumentActionChecks(context, target.kind, view);
      if (checks.family === 'document') documentScope = checks.documentScope;
      this.checkLookupsKept(target);
      const lookups = new LookupChecks(context, sections.lookups ?? {});
      checkHandlerActions(
        sections.handlers,
        checks,
        problems,
        (action, base) => lookups.checkRemember(action, base),
        context.expressions,
      );
      lookups.checkReads(sections.handlers);
      for (const [name, query] of sections.queries) if (query) this.checkQuery(target, name, query);
    }
    return { expressions: context.expressions.compiled, ...(documentScope ? { documentScope } : {}) };
  }

  /** Lookups need a store that keeps them (StoreCapabilities.keepsLookups). */
  private checkLookupsKept(target: TargetSection): void {
    if (Object.keys(this.sections.lookups ?? {}).length === 0) return;
    const module = findStoreModule(target.kind);
    if (module === undefined || module.capabilities.keepsLookups === true) return;
    this.problems.add(
      'lookups-not-supported',
      ['lookups'],
      `${target.kind} views do not keep lookups (the store module does not state keepsLookups)`,
      { at: 'key' },
    );
  }

  // -------------------------------------------------------------------------------------------- queries

  private checkQuery(target: TargetSection, name: string, query: QueryDefinition): void {
    const base = ['queries', name];
    const store = storeDslOf(target);
    const own = store.queries;
    if (!own) {
      const languages = queryLanguages().map((language) => `${language.kind} (${language.field})`);
      this.problems.add(
        'query-not-supported',
        base,
        `named queries are for ${languages.join(' and ') || 'no'} views; ${store.withoutQueries ?? `${target.kind} views have none`}`,
        { at: 'key' },
      );
      return;
    }
    const ownOptions = Object.keys(own.options ?? {});
    for (const other of queryLanguages()) {
      if (other.field === own.field) continue;
      if (query[other.field] !== undefined)
        this.problems.add(
          'query-not-supported',
          [...base, other.field],
          `${/^[aeiou]/i.test(target.kind) ? 'an' : 'a'} ${target.kind} view's queries are written as "${own.field}", not "${other.field}"`,
          { at: 'key' },
        );
      for (const option of Object.keys(other.options ?? {})) {
        if (ownOptions.includes(option) || query[option] === undefined) continue;
        this.problems.add(
          'query-not-supported',
          [...base, option],
          `"${option}" is for ${other.kind} queries (${other.field}); ${/^[aeiou]/i.test(target.kind) ? 'an' : 'a'} ${target.kind} view's queries have no "${option}"`,
          { at: 'key' },
        );
      }
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
    const text = query[own.field];
    if (text !== undefined)
      own.check({
        section: target,
        path: base,
        text,
        parameters: query.parameters,
        options: Object.fromEntries(
          ownOptions.filter((option) => query[option] !== undefined).map((option) => [option, query[option]]),
        ),
        problems: this.problems,
      });
    else {
      this.problems.add(
        'query-text-missing',
        base,
        `required field "${own.field}" is missing (the ${target.kind} query text)`,
        { at: 'key' },
      );
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
