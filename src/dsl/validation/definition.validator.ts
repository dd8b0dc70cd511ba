/**
 * The one validation path for a definition, whatever wrote it (YAML or the TS builder): the zod schema,
 * then the semantic checks, all problems collected and reported together. A definition that passes comes
 * back with its expressions already parsed and type-checked, ready for the compiler.
 */
import { hasErrors, sortDefinitionErrors, type DefinitionError } from '../errors/definition-error';
import type { z } from 'zod';
import {
  ACTION_KINDS,
  ACTION_SCHEMAS,
  ProjectionDefinitionSchema,
  TargetSchema,
  type ActionKind,
  QuerySchema,
  SourceSchema,
  type ActionDefinition,
  type ProjectionDefinition,
  type QueryDefinition,
} from '../model/definition.schema';
import type { ExpressionEnvironment } from '../expressions/expression-environment';
import type { PathSegment, SourceLocator } from '../source/source-locator';
import { Problems } from './problems';
import { isPlainObject, issuesToErrors, valueAt } from './schema-issues';
import { salvageTarget } from './target-salvage';
import { checkReservedNames } from './reserved-names';
import { checkShapeLimits } from './shape-limits';
import { validateSemantics, type ExpressionTable, type ParsedSections } from './semantic.validator';

/** A definition that passed every check, with its expressions compiled once. */
export interface CheckedDefinition {
  readonly definition: ProjectionDefinition;
  readonly expressions: ExpressionTable;
  /** Document views: the environment their expressions were compiled in (it makes their `doc` values). */
  readonly documentScope?: ExpressionEnvironment;
  /** Where it came from: a file path, or `<builder name>`. */
  readonly origin: string;
  /** Warnings found on the way (errors would have prevented a CheckedDefinition). */
  readonly warnings: readonly DefinitionError[];
}

export interface DefinitionCheck {
  /** Present when there is no error (warnings allowed). */
  readonly checked?: CheckedDefinition;
  /** Every problem, errors and warnings, in file order. */
  readonly problems: readonly DefinitionError[];
}

export function validateDefinition(value: unknown, locator: SourceLocator): DefinitionCheck {
  const problems = new Problems(locator);
  if (checkShapeLimits(value, problems)) return { problems: sortDefinitionErrors(problems.list) };
  const full = ProjectionDefinitionSchema.safeParse(value);
  if (!full.success) {
    problems.list.push(
      ...issuesToErrors(full.error.issues, { schema: ProjectionDefinitionSchema, value, locator }),
    );
  }
  const sections = parseSections(value);
  checkReservedNames(sections.target, problems);
  const { expressions, documentScope } = validateSemantics(sections, problems);
  const sorted = sortDefinitionErrors(problems.list);
  if (!full.success || hasErrors(sorted)) return { problems: sorted };
  return {
    checked: {
      definition: full.data,
      expressions,
      ...(documentScope ? { documentScope } : {}),
      origin: locator.file,
      warnings: sorted,
    },
    problems: sorted,
  };
}

/**
 * Each section parsed on its own, so semantic checks run on every part that is sound. Unknown keys were
 * reported already; they are dropped here so that a typo such as `sett:` does not hide the action's other
 * problems (nothing is guessed: the misspelt part is simply not checked).
 */
function parseSections(value: unknown): ParsedSections {
  const root = isPlainObject(value) ? value : {};
  const source = withoutUnknownKeys(SourceSchema, root.source);
  const target = salvageTarget(withoutUnknownKeys(TargetSchema, root.target) ?? root.target);
  const handlers = new Map<string, (ActionDefinition | undefined)[]>();
  if (isPlainObject(root.handlers)) {
    for (const [eventType, actions] of Object.entries(root.handlers)) {
      handlers.set(eventType, Array.isArray(actions) ? actions.map(parseAction) : []);
    }
  }
  const queries = new Map<string, QueryDefinition | undefined>();
  if (isPlainObject(root.queries)) {
    for (const [name, query] of Object.entries(root.queries))
      queries.set(name, withoutUnknownKeys(QuerySchema, query));
  }
  return {
    ...(source ? { source } : {}),
    ...(target ? { target: target.target, untyped: target.untyped } : { untyped: new Set<string>() }),
    handlers,
    queries,
  };
}

function parseAction(action: unknown): ActionDefinition | undefined {
  if (!isPlainObject(action)) return undefined;
  const kinds = Object.keys(action).filter((key): key is ActionKind =>
    (ACTION_KINDS as string[]).includes(key),
  );
  if (kinds.length !== 1) return undefined;
  const schema: z.ZodType<ActionDefinition> = ACTION_SCHEMAS[kinds[0]!] as z.ZodType<ActionDefinition>;
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
