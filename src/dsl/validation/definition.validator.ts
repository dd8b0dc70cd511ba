/**
 * The one validation path for a definition, whatever wrote it (YAML or the TS builder): the zod schema,
 * then the semantic checks, all problems collected and reported together. A definition that passes comes
 * back as its model (model/projection.model.ts: frozen, actions tagged by kind, expressions as placed
 * nodes) with its expressions already parsed and type-checked, ready for the compiler.
 */
import { hasErrors, sortDefinitionErrors, type DefinitionError } from '../errors/definition-error';
import type { z } from 'zod';
import {
  ACTION_KINDS,
  ACTION_SCHEMAS,
  projectionDefinitionSchema,
  type ActionKind,
  querySchema,
  SourceSchema,
  LookupsSchema,
  type ParsedAction,
  type QueryDefinition,
} from '../model/definition.schema';
import type { CompiledExpressions } from '../expressions/compiled-expressions';
import type { ExpressionEnvironment } from '../expressions/expression-environment';
import { projectionModelOf, tagAction, type Action, type ProjectionModel } from '../model/projection.model';
import type { PathSegment, SourceLocator } from '../source/source-locator';
import { targetSchema } from '../model/store-sections';
import type { EventCatalog } from '../../events-catalog/event-catalog';
import { payloadTypesOf } from './event-catalog';
import { Problems } from './problems';
import { isPlainObject, issuesToErrors, valueAt } from './schema-issues';
import { checkSegments } from './segments.checks';
import { checkShapeLimits } from './shape-limits';
import { checkTargetSection, salvageTarget } from './target-section';
import { validateSemantics, type ParsedSections } from './semantic.validator';

/** A definition that passed every check, with its expressions compiled once. */
export interface CheckedDefinition {
  /** The validated model: frozen, tagged, what the compiler, the fingerprint and the tools read. */
  readonly definition: ProjectionModel;
  readonly expressions: CompiledExpressions;
  /** Document views: the environment their expressions were compiled in (it makes their `doc` values). */
  readonly documentScope?: ExpressionEnvironment;
  /** Where it came from: a file path, or `<builder name>`. */
  readonly origin: string;
  /** Warnings found on the way (errors would have prevented a CheckedDefinition). */
  readonly warnings: readonly DefinitionError[];
  /** The event catalog it was checked against: the compiled plan upcasts events with it (issue #16). */
  readonly catalog?: EventCatalog;
}

export interface ValidationOptions {
  /** Types `event.data` per handler event, and upcasts events before the compiled plan sees them. */
  readonly catalog?: EventCatalog;
}

export interface DefinitionCheck {
  /** Present when there is no error (warnings allowed). */
  readonly checked?: CheckedDefinition;
  /** Every problem, errors and warnings, in file order. */
  readonly problems: readonly DefinitionError[];
}

export function validateDefinition(
  value: unknown,
  locator: SourceLocator,
  options: ValidationOptions = {},
): DefinitionCheck {
  const problems = new Problems(locator);
  if (checkShapeLimits(value, problems)) return { problems: sortDefinitionErrors(problems.list) };
  const schema = projectionDefinitionSchema();
  const full = schema.safeParse(value);
  if (!full.success) {
    problems.list.push(...issuesToErrors(full.error.issues, { schema, value, locator }));
  }
  const sections = parseSections(value, locator);
  if (sections.target) checkTargetSection(sections.target, problems);
  checkSegments(
    isPlainObject(value) ? value.segments : undefined,
    sections.target,
    sections.handlers,
    problems,
    sections.lookups,
  );
  const { catalog } = options;
  const { expressions, documentScope } = validateSemantics(
    sections,
    problems,
    catalog ? { payloadTypes: payloadTypesOf(catalog) } : {},
  );
  const sorted = sortDefinitionErrors(problems.list);
  if (!full.success || hasErrors(sorted)) return { problems: sorted };
  return {
    checked: {
      definition: projectionModelOf(full.data, locator),
      expressions,
      ...(documentScope ? { documentScope } : {}),
      origin: locator.file,
      warnings: sorted,
      ...(catalog ? { catalog } : {}),
    },
    problems: sorted,
  };
}

/**
 * Each section parsed on its own, so semantic checks run on every part that is sound. Unknown keys were
 * reported already; they are dropped here so that a typo such as `sett:` does not hide the action's other
 * problems (nothing is guessed: the misspelt part is simply not checked).
 */
function parseSections(value: unknown, locator: SourceLocator): ParsedSections {
  const root = isPlainObject(value) ? value : {};
  const source = withoutUnknownKeys(SourceSchema, root.source);
  const target = salvageTarget(withoutUnknownKeys(targetSchema(), root.target) ?? root.target);
  const handlers = new Map<string, (Action | undefined)[]>();
  if (isPlainObject(root.handlers)) {
    for (const [eventType, actions] of Object.entries(root.handlers)) {
      const parsed = Array.isArray(actions) ? actions.map(parseAction) : [];
      handlers.set(
        eventType,
        parsed.map((action, index) => action && tagAction(action, ['handlers', eventType, index], locator)),
      );
    }
  }
  const lookups = withoutUnknownKeys(LookupsSchema, root.lookups);
  const queries = new Map<string, QueryDefinition | undefined>();
  if (isPlainObject(root.queries)) {
    for (const [name, query] of Object.entries(root.queries))
      queries.set(name, withoutUnknownKeys(querySchema(), query));
  }
  return {
    ...(source ? { source } : {}),
    ...(target ? { target: target.section, untyped: target.untyped } : { untyped: new Set<string>() }),
    handlers,
    queries,
    ...(lookups ? { lookups } : {}),
  };
}

function parseAction(action: unknown): ParsedAction | undefined {
  if (!isPlainObject(action)) return undefined;
  const kinds = Object.keys(action).filter((key): key is ActionKind =>
    (ACTION_KINDS as string[]).includes(key),
  );
  if (kinds.length !== 1) return undefined;
  const schema: z.ZodType<ParsedAction> = ACTION_SCHEMAS[kinds[0]!] as z.ZodType<ParsedAction>;
  return withoutUnknownKeys(schema, action);
}

/** The parsed value when unknown keys are its only problem (they are removed), else undefined. */
function withoutUnknownKeys<T extends z.ZodType>(schema: T, value: unknown): z.output<T> | undefined {
  let current: unknown = value;
  for (let attempt = 0; attempt < 8; attempt++) {
    const result = schema.safeParse(current);
    if (result.success) return result.data;
    const issues = result.error.issues;
    if (!issues.every((issue) => issue.code === 'unrecognized_keys')) return undefined;
    if (current === value) current = structuredClone(value);
    for (const issue of issues) {
      const owner = valueAt(current, issue.path as PathSegment[]);
      if (isPlainObject(owner)) for (const key of (issue as { keys: string[] }).keys) delete owner[key];
    }
  }
  return undefined;
}
