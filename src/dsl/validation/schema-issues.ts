/**
 * Turns zod's structural issues into DefinitionErrors that read well: a position, a stable code, what was
 * expected and a suggestion. zod reports unions as a bag of every branch's failures; here the branch the
 * author evidently meant (the action key they wrote, the type of value they gave) is picked and reported.
 */
import { z } from 'zod';
import { isPlainObject } from '../../core/json';
import type { DefinitionError, DefinitionErrorCode } from '../errors/definition-error';
import { didYouMean, listNames } from '../errors/suggest';
import { ACTION_KINDS, ACTION_SCHEMAS, NAME_PATTERNS, type ActionKind } from '../model/definition.schema';
import { targetKindNames } from '../model/store-sections';
import { formatPath, type PathSegment, type SourceLocator } from '../source/source-locator';

type Issue = z.core.$ZodIssue;

export interface IssueContext {
  /** The schema `issues` came from (used to list the keys that would have been valid). */
  readonly schema: z.ZodType;
  /** The value that was validated. */
  readonly value: unknown;
  readonly locator: SourceLocator;
  /** Prefix of every issue path, when `schema` validated a part of the document. */
  readonly basePath?: readonly PathSegment[];
}

export function issuesToErrors(issues: readonly Issue[], context: IssueContext): DefinitionError[] {
  const errors: DefinitionError[] = [];
  for (const issue of issues) errors.push(...issueToErrors(issue, [], context));
  return dedupe(errors);
}

function issueToErrors(
  issue: Issue,
  prefix: readonly PathSegment[],
  context: IssueContext,
): DefinitionError[] {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  const absolute = [...(context.basePath ?? []), ...path];
  const actual = valueAt(context.value, path);
  const make = (
    code: DefinitionErrorCode,
    message: string,
    suggestion?: string,
    at: 'key' | 'value' = 'value',
    where: readonly PathSegment[] = absolute,
  ): DefinitionError => {
    const position = at === 'key' ? context.locator.keyAt(where) : context.locator.valueAt(where);
    return {
      code,
      severity: 'error',
      file: context.locator.file,
      line: position.line,
      column: position.column,
      path: formatPath(where),
      message,
      ...(suggestion === undefined ? {} : { suggestion }),
    };
  };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(context.schema, path, context.value);
      return issue.keys.map((key) =>
        make(
          'unknown-key',
          `unknown key "${key}"; expected ${known.length > 0 ? `one of ${listNames(known)}` : 'no keys here'}`,
          didYouMean(key, known),
          'key',
          [...absolute, key],
        ),
      );
    }
    case 'invalid_type': {
      if (actual === undefined && isMissingKey(context.value, path)) {
        const field = path[path.length - 1];
        return [
          make(
            'missing-field',
            `required field "${String(field)}" is missing (expected ${typeName(issue.expected)})`,
            undefined,
            'key',
            absolute.slice(0, -1),
          ),
        ];
      }
      return [
        make(
          'wrong-type',
          `expected ${typeName(issue.expected)}, got ${describeValue(actual)}`,
          typeHint(issue.expected, actual, path),
        ),
      ];
    }
    case 'invalid_value': {
      const options = issue.values.map(String);
      return [
        make(
          'invalid-value',
          `${describeValue(actual)} is not allowed here; expected ${options.length === 1 ? `"${options[0]!}"` : `one of ${listNames(options)}`}`,
          typeof actual === 'string' ? didYouMean(actual, options) : undefined,
        ),
      ];
    }
    case 'invalid_format': {
      const name = nameKind(issue);
      if (name)
        return [
          make('invalid-name', `${describeValue(actual)} is not a valid ${name.what}: use ${name.human}`),
        ];
      return [make('invalid-value', `${describeValue(actual)} has the wrong format (${issue.format})`)];
    }
    case 'invalid_key': {
      const key = path[path.length - 1];
      const inner = issue.issues[0];
      const name = inner && inner.code === 'invalid_format' ? nameKind(inner) : undefined;
      return [
        make(
          'invalid-name',
          `"${String(key)}" is not a valid ${name?.what ?? 'name'}${name ? `: use ${name.human}` : ''}`,
          undefined,
          'key',
        ),
      ];
    }
    case 'too_small': {
      if (issue.origin === 'array')
        return [make('too-small', `must list at least ${String(issue.minimum)} item(s)`)];
      if (issue.origin === 'string') return [make('too-small', 'must not be empty')];
      return [make('too-small', `must be at least ${String(issue.minimum)}, got ${describeValue(actual)}`)];
    }
    case 'too_big':
      return [
        make('invalid-value', `must be at most ${String(issue.maximum)}, got ${describeValue(actual)}`),
      ];
    case 'invalid_union':
      return unionToErrors(issue, path, absolute, actual, context, make);
    default:
      return [make('wrong-type', issue.message)];
  }
}

function unionToErrors(
  issue: z.core.$ZodIssueInvalidUnion,
  path: readonly PathSegment[],
  absolute: readonly PathSegment[],
  actual: unknown,
  context: IssueContext,
  make: (
    code: DefinitionErrorCode,
    message: string,
    suggestion?: string,
    at?: 'key' | 'value',
    where?: readonly PathSegment[],
  ) => DefinitionError,
): DefinitionError[] {
  // The target's `kind` matched no branch: list the registered kinds, suggest among kinds and aliases.
  if ((issue as { note?: string }).note === 'No matching discriminator') {
    const { kinds: options, names } = targetKindNames();
    if (actual === undefined) {
      return [
        make(
          'missing-field',
          `required field "kind" is missing (expected one of ${listNames(options)})`,
          undefined,
          'key',
          absolute.slice(0, -1),
        ),
      ];
    }
    return [
      make(
        'unknown-target-kind',
        `${describeValue(actual)} is not a target kind; expected one of ${listNames(options)}`,
        typeof actual === 'string' ? didYouMean(actual, names) : undefined,
      ),
    ];
  }
  if (actual === undefined && isMissingKey(context.value, path)) {
    const field = path[path.length - 1];
    return [
      make(
        'missing-field',
        `required field "${String(field)}" is missing`,
        undefined,
        'key',
        absolute.slice(0, -1),
      ),
    ];
  }
  if (isActionPath(path)) return actionToErrors(path, actual, context, make);
  // Pick the branches whose type matched the value; report theirs when there is exactly one.
  const matched = issue.errors.filter(
    (branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
  );
  if (matched.length === 1) return matched[0]!.flatMap((inner) => issueToErrors(inner, path, context));
  const expected = issue.errors
    .flatMap((branch) => branch.filter((inner) => inner.code === 'invalid_type' && inner.path.length === 0))
    .map((inner) => typeName((inner as z.core.$ZodIssueInvalidType).expected));
  const unique = [...new Set(expected)];
  const isExpression = unique.includes('a string') && unique.includes('null');
  return [
    make(
      'wrong-type',
      isExpression
        ? `expected a CEL expression (a string, number, boolean or null), got ${describeValue(actual)}`
        : `expected ${unique.length > 0 ? unique.join(' or ') : 'a different value'}, got ${describeValue(actual)}`,
    ),
  ];
}

/** `handlers.<event>[i]`: a list item that must name exactly one action. */
function isActionPath(path: readonly PathSegment[]): boolean {
  return path.length === 3 && path[0] === 'handlers' && typeof path[2] === 'number';
}

function actionToErrors(
  path: readonly PathSegment[],
  actual: unknown,
  context: IssueContext,
  make: (
    code: DefinitionErrorCode,
    message: string,
    suggestion?: string,
    at?: 'key' | 'value',
    where?: readonly PathSegment[],
  ) => DefinitionError,
): DefinitionError[] {
  const absolute = [...(context.basePath ?? []), ...path];
  if (!isPlainObject(actual)) {
    return [make('wrong-type', `expected an action such as "upsert: {...}", got ${describeValue(actual)}`)];
  }
  const keys = Object.keys(actual);
  const named = keys.filter((key): key is ActionKind => (ACTION_KINDS as string[]).includes(key));
  if (named.length === 0) {
    if (keys.length === 0)
      return [make('unknown-action', `an action must name one of ${listNames(ACTION_KINDS)}`)];
    return keys.map((key) =>
      make(
        'unknown-action',
        `"${key}" is not an action; expected one of ${listNames(ACTION_KINDS)}`,
        didYouMean(key, ACTION_KINDS),
        'key',
        [...absolute, key],
      ),
    );
  }
  if (named.length > 1) {
    return named
      .slice(1)
      .map((key) =>
        make(
          'ambiguous-action',
          `one list item names two actions ("${named[0]!}" and "${key}")`,
          'start each action with its own "- "',
          'key',
          [...absolute, key],
        ),
      );
  }
  const branch = ACTION_SCHEMAS[named[0]!];
  const result = branch.safeParse(actual);
  if (result.success) return [];
  return issuesToErrors(result.error.issues, {
    ...context,
    schema: branch,
    value: actual,
    basePath: absolute,
  });
}

// ---------------------------------------------------------------------------------------------- helpers

function nameKind(issue: z.core.$ZodIssue): { what: string; human: string } | undefined {
  if (issue.code !== 'invalid_format' || !('pattern' in issue)) return undefined;
  const pattern = String((issue as { pattern?: unknown }).pattern);
  const whats: Record<keyof typeof NAME_PATTERNS, string> = {
    projection: 'projection name',
    column: 'name',
    field: 'field name',
    label: 'node label',
    relationshipType: 'relationship type',
    property: 'property name',
    eventType: 'event type',
    lookup: 'lookup name',
    parameter: 'parameter name',
  };
  for (const [kind, entry] of Object.entries(NAME_PATTERNS) as [
    keyof typeof NAME_PATTERNS,
    (typeof NAME_PATTERNS)[keyof typeof NAME_PATTERNS],
  ][]) {
    if (String(entry.pattern) === pattern) return { what: whats[kind], human: entry.human };
  }
  return undefined;
}

function typeName(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    default:
      return expected;
  }
}

function typeHint(expected: string, actual: unknown, path: readonly PathSegment[]): string | undefined {
  if (expected === 'array' && isPlainObject(actual) && path[0] === 'handlers')
    return 'write the actions as a list: "- upsert: ..."';
  if (expected === 'array' && typeof actual === 'string') return `write a list: [${actual}]`;
  return undefined;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' && !Number.isInteger(value)) return `the number ${value}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} ${String(value)}`;
  return typeof value;
}

export { isPlainObject };

export function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isPlainObject(current)) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

function isMissingKey(value: unknown, path: readonly PathSegment[]): boolean {
  if (path.length === 0) return false;
  const parent = valueAt(value, path.slice(0, -1));
  return isPlainObject(parent) && !(String(path[path.length - 1]) in parent);
}

/** The keys an object schema accepts at `path` (for "did you mean" on unknown keys). */
export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[], value: unknown): string[] {
  let current: z.ZodType | undefined = schema;
  let currentValue = value;
  for (const segment of [...path, undefined]) {
    current = unwrap(current, currentValue);
    if (segment === undefined || current === undefined) break;
    if (current instanceof z.ZodObject)
      current = (current.shape as Record<string, z.ZodType>)[String(segment)];
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else current = undefined;
    currentValue = valueAt(currentValue, [segment]);
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** Looks through optional/default/transform wrappers and picks the union branch the value is meant for. */
function unwrap(schema: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable)
      current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else if (current instanceof z.ZodUnion) {
      const options = current.options as z.ZodType[];
      current =
        options.find((option) => option.safeParse(value).success) ??
        options.find((option) => {
          const inner = unwrap(option, value);
          if (!(inner instanceof z.ZodObject) || !isPlainObject(value)) return false;
          const shape = inner.shape as Record<string, z.ZodType>;
          // discriminated by a literal `kind`, or by the one key that names an action
          const kind = shape.kind instanceof z.ZodPipe ? (shape.kind.in as z.ZodType) : shape.kind;
          if (kind instanceof z.ZodLiteral) return kind.values.has(value.kind as never);
          return Object.keys(shape).some((key) => key in value && (ACTION_KINDS as string[]).includes(key));
        });
      if (current === undefined) return undefined;
    } else return current;
  }
}

function dedupe(errors: DefinitionError[]): DefinitionError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.line}:${error.column}:${error.code}:${error.path}:${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
