/**
 * Builds the app's event catalog from its two sources (issue #16):
 *
 *  - the aggregates: each event type's zod schema (as JSON Schema, `z.toJSONSchema`), its `version` (the
 *    latest) and its TypeScript upcasters (`upcast: { 1: fn }`);
 *  - an optional catalog file (catalog-file.schema.ts) for the events other services write: JSON Schema
 *    per version and declarative upcasters. It may also add older versions' schemas and declarative
 *    upcasters to an aggregate's event type, but not redeclare its latest version.
 *
 * Every problem of the file comes back as a DefinitionError with file:line:col, all together.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { JsonObject } from '../core/json';
import type { Aggregate } from '../aggregates/aggregate.types';
import {
  DefinitionValidationError,
  hasErrors,
  sortDefinitionErrors,
  type DefinitionError,
} from '../dsl/errors/definition-error';
import { eventDataTypes } from '../dsl/expressions/event-data-types';
import { decodeDefinitionBytes, fileSizeError } from '../dsl/source/definition-bytes';
import type { PathSegment } from '../dsl/source/source-locator';
import { parseYamlSource } from '../dsl/source/yaml-source.parser';
import { Problems } from '../dsl/validation/problems';
import { issuesToErrors } from '../dsl/validation/schema-issues';
import { catalogFileSchema, type CatalogFileEvent } from './catalog-file.schema';
import { compileUpcastStep } from './declarative-upcaster';
import {
  EventCatalog,
  type CatalogedEventType,
  type EventVersion,
  type JsonSchema,
  type UpcastStep,
} from './event-catalog';

export interface CatalogSources {
  readonly aggregates?: readonly Aggregate[];
  /** The catalog file's text and its name in messages. */
  readonly file?: { readonly text: string; readonly name: string };
}

export interface CatalogBuild {
  /** Present when there is no error. */
  readonly catalog?: EventCatalog;
  readonly problems: readonly DefinitionError[];
}

/** The catalog of the aggregates' events, with what the file adds. */
export function buildEventCatalog(sources: CatalogSources): CatalogBuild {
  const entries = new Map<string, CatalogedEventType>();
  for (const aggregate of sources.aggregates ?? [])
    for (const entry of aggregateEvents(aggregate)) entries.set(entry.type, entry);
  if (!sources.file) return { catalog: new EventCatalog(entries.values()), problems: [] };

  const { text, name } = sources.file;
  const tooLarge = fileSizeError(Buffer.byteLength(text, 'utf8'), name);
  if (tooLarge) return { problems: [tooLarge] };
  const parsed = parseYamlSource(text, name);
  if (parsed.value === undefined || hasErrors(parsed.errors)) return { problems: parsed.errors };
  const result = catalogFileSchema.safeParse(parsed.value ?? {});
  if (!result.success) {
    return {
      problems: sortDefinitionErrors(
        issuesToErrors(result.error.issues, {
          schema: catalogFileSchema,
          value: parsed.value,
          locator: parsed.locator,
        }),
      ),
    };
  }
  const problems = new Problems(parsed.locator);
  for (const [type, declared] of Object.entries(result.data.events)) {
    const merged = fileEvent(type, declared, entries.get(type), problems);
    if (merged) entries.set(type, merged);
  }
  const list = sortDefinitionErrors([...parsed.errors, ...problems.list]);
  if (hasErrors(list)) return { problems: list };
  return { catalog: new EventCatalog(entries.values(), result.data.complete), problems: list };
}

/**
 * Reads the catalog file at `path` (if any) and builds the catalog.
 * @throws DefinitionValidationError listing every problem of the file.
 */
export function loadEventCatalog(options: {
  readonly aggregates?: readonly Aggregate[];
  readonly path?: string;
  /** The file's name in messages (default: `path`). */
  readonly name?: string;
}): EventCatalog {
  let file: CatalogSources['file'];
  if (options.path !== undefined) {
    const name = options.name ?? options.path;
    const tooLarge = fileSizeError(statSync(options.path).size, name);
    if (tooLarge) throw new DefinitionValidationError([tooLarge]);
    const decoded = decodeDefinitionBytes(readFileSync(options.path), name);
    if (decoded.text === undefined) throw new DefinitionValidationError(decoded.errors);
    file = { text: decoded.text, name };
  }
  const build = buildEventCatalog({
    ...(options.aggregates !== undefined && { aggregates: options.aggregates }),
    ...(file !== undefined && { file }),
  });
  if (!build.catalog) throw new DefinitionValidationError(build.problems);
  return build.catalog;
}

// ------------------------------------------------------------------------------------------ aggregates

function aggregateEvents(aggregate: Aggregate): CatalogedEventType[] {
  return [...aggregate.events].map(([type, spec]) => {
    const version: EventVersion = {
      version: spec.version,
      schema: z.toJSONSchema(spec.data, { io: 'input', unrepresentable: 'any' }) as JsonSchema,
      validator: spec.data,
    };
    const upcasters = new Map<number, UpcastStep>(
      [...spec.upcast].map(([from, upcast]) => [
        from,
        {
          from,
          summary: 'function',
          // Its source text: a changed function (even reformatted) rebuilds the views reading the type.
          identity: `function ${upcast.toString()}`,
          run: (data: JsonObject) => upcast(data) as JsonObject,
        },
      ]),
    );
    return {
      type,
      origin: `aggregate ${aggregate.name}`,
      definedAt: aggregate.definedAt,
      versions: new Map([[spec.version, version]]),
      latest: spec.version,
      upcasters,
    };
  });
}

// ------------------------------------------------------------------------------------------ the file

function fileEvent(
  type: string,
  declared: CatalogFileEvent,
  aggregate: CatalogedEventType | undefined,
  problems: Problems,
): CatalogedEventType | undefined {
  const base: PathSegment[] = ['events', type];
  const versions = new Map<number, EventVersion>(aggregate?.versions ?? []);
  for (const [key, schema] of Object.entries(declared.versions ?? {})) {
    const version = Number(key);
    const path = [...base, 'versions', key];
    if (aggregate && version >= aggregate.latest) {
      problems.add(
        'catalog-conflict',
        path,
        `${type} is an event of ${aggregate.origin}, whose latest version is ${aggregate.latest}; the file may only declare older versions`,
        { at: 'key', suggestion: 'change the schema in the aggregate definition, or bump its version there' },
      );
      continue;
    }
    const validator = validatorOf(schema, path, problems);
    if (validator) versions.set(version, { version, schema: schema, validator });
  }
  if (versions.size === 0) {
    // a version declared with a broken schema was reported already
    if (Object.keys(declared.versions ?? {}).length > 0) return undefined;
    problems.add('missing-field', base, `${type} declares no version: add versions: { 1: <JSON Schema> }`, {
      at: 'key',
    });
    return undefined;
  }
  const latest = aggregate?.latest ?? Math.max(...versions.keys());
  const upcasters = new Map<number, UpcastStep>(aggregate?.upcasters ?? []);
  (declared.upcast ?? []).forEach((step, index) => {
    const path = [...base, 'upcast', index];
    if (step.from >= latest) {
      problems.add(
        'invalid-value',
        [...path, 'from'],
        `from: ${step.from} reads a version that is not older than the latest (${latest})`,
      );
      return;
    }
    if (upcasters.has(step.from)) {
      problems.add(
        'catalog-conflict',
        [...path, 'from'],
        `version ${step.from} of ${type} already has an upcaster${aggregate?.upcasters.has(step.from) ? ` (in ${aggregate.origin})` : ''}`,
      );
      return;
    }
    const reads = versions.get(step.from)?.schema;
    const writes = versions.get(step.from + 1)?.schema;
    const compiled = compileUpcastStep(step, {
      problems,
      path,
      reads: fieldsOf(reads),
      writes: fieldsOf(writes),
      readTypes: reads && eventDataTypes(type, step.from, reads),
    });
    if (compiled) upcasters.set(step.from, compiled);
  });
  checkChain(type, latest, upcasters, [...base, 'upcast'], problems);
  return {
    type,
    origin: aggregate?.origin ?? `${problems.locator.file}:${problems.locator.keyAt(base).line}`,
    ...(aggregate?.definedAt !== undefined && { definedAt: aggregate.definedAt }),
    versions,
    latest,
    upcasters,
  };
}

/** From the first upcaster on, every version up to the latest must have one: a gap would skip a shape. */
function checkChain(
  type: string,
  latest: number,
  upcasters: ReadonlyMap<number, UpcastStep>,
  path: PathSegment[],
  problems: Problems,
): void {
  if (upcasters.size === 0) return;
  const first = Math.min(...upcasters.keys());
  for (let from = first; from < latest; from++) {
    if (upcasters.has(from)) continue;
    problems.add(
      'upcast-gap',
      path,
      `the upcaster chain of ${type} has a gap: nothing upcasts version ${from} to ${from + 1} (the chain starts at ${first} and must reach the latest version ${latest})`,
      { at: 'key', suggestion: `add a step with from: ${from}` },
    );
  }
}

function fieldsOf(schema: JsonSchema | undefined): ReadonlySet<string> | undefined {
  const properties = schema?.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  return new Set(Object.keys(properties));
}

function validatorOf(schema: JsonSchema, path: PathSegment[], problems: Problems): z.ZodType | undefined {
  if (schema.type !== 'object') {
    problems.add(
      'invalid-event-schema',
      path,
      'an event payload schema must be an object schema (type: object)',
    );
    return undefined;
  }
  try {
    return z.fromJSONSchema(schema);
  } catch (error) {
    problems.add(
      'invalid-event-schema',
      path,
      `not a JSON Schema Prism can check payloads with: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
}
