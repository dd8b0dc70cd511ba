/**
 * Pure helpers between a declared ElasticsearchTargetShape and the indices built from it: physical and
 * alias names, the index body (settings + strict mapping) of a new generation, and the per-field checks
 * that decide whether a document fits, so a bad document parks its event before the bulk.
 */
import type { JsonObject, JsonValue } from '../../core/json';
import type { ViewDocument } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import {
  ELASTICSEARCH_SHAPE_KIND,
  isElasticsearchShape,
  type ElasticsearchField,
  type ElasticsearchFieldType,
  type ElasticsearchSubField,
  type ElasticsearchTargetShape,
} from './elasticsearch-view-shape';
import { UnsupportedShapeError } from '../target.errors';
import {
  booleanProblem,
  describeValue,
  finiteNumberProblem,
  int32Problem,
  safeIntegerProblem,
  stringProblem,
} from '../value-checks';
import { InvalidIndexNameError } from './elasticsearch.errors';

/**
 * Internal field marking a tombstone: a deleted document stays in the index as `{ _prism_deleted: true }`
 * with the delete's position as its external version, so an older put re-delivered after the delete is
 * still refused by the version check. Readers filter tombstones out (see `excludeTombstones`). Declared
 * fields can never collide with it: DSL field names cannot start with an underscore.
 */
export const TOMBSTONE_FIELD = '_prism_deleted';

/** A field may carry an optional `nullable: false` (an additive extension of the declared shape). */
export type ElasticsearchFieldDeclaration = ElasticsearchField & { readonly nullable?: boolean };

/** Index names: lowercase, no `\ / * ? " < > | , # :` or spaces, not starting with `-_+`, at most 255 bytes. */
const INVALID_INDEX_CHARACTERS = /[\\/*?"<>|,#:\s]/;
const MAX_INDEX_NAME_BYTES = 255;

export function elasticsearchShape(projection: string, shape: TargetShape): ElasticsearchTargetShape {
  if (!isElasticsearchShape(shape))
    throw new UnsupportedShapeError(projection, shape.kind, ELASTICSEARCH_SHAPE_KIND);
  return shape;
}

export function checkedIndexName(name: string): string {
  if (name !== name.toLowerCase()) throw new InvalidIndexNameError(name, 'it must be lowercase');
  if (INVALID_INDEX_CHARACTERS.test(name))
    throw new InvalidIndexNameError(name, 'it contains a reserved character');
  if (/^[-_+]/.test(name)) throw new InvalidIndexNameError(name, 'it must not start with "-", "_" or "+"');
  if (Buffer.byteLength(name) > MAX_INDEX_NAME_BYTES) {
    throw new InvalidIndexNameError(name, `it is longer than ${MAX_INDEX_NAME_BYTES} bytes`);
  }
  return name;
}

/** How the target names its indices; `prefix` keeps deployments (and test runs) apart. */
export class IndexNaming {
  constructor(readonly prefix: string = 'prism-') {}

  /** The bookkeeping index (registry, generations, checkpoints, parked events). */
  get meta(): string {
    return checkedIndexName(`${this.prefix}meta`);
  }

  /** The alias readers search: `<prefix><target.index>`. */
  alias(shape: ElasticsearchTargetShape): string {
    const name = `${this.prefix}${shape.index}`.toLowerCase();
    if (name === this.meta)
      throw new InvalidIndexNameError(name, 'it is the bookkeeping index of the target');
    return checkedIndexName(name);
  }

  /** The physical index of one generation: `<prefix><projection>-g<N>`, never searched directly. */
  physical(projection: string, generation: number): string {
    return checkedIndexName(`${this.prefix}${projection}-g${generation}`.toLowerCase());
  }
}

/**
 * The body of a new generation's index: the declared settings and a strict mapping. Replicas default to
 * `auto_expand_replicas: 0-1`: a one-node cluster stays green with none, and a cluster of two or more
 * nodes keeps one copy of every shard on another node without a change to the definition.
 */
export function indexBody(shape: ElasticsearchTargetShape): { settings: JsonObject; mappings: JsonObject } {
  const properties: JsonObject = { [TOMBSTONE_FIELD]: { type: 'boolean' } };
  for (const [name, field] of Object.entries(shape.fields)) properties[name] = fieldMapping(field);
  return {
    settings: indexSettings(shape),
    // strict: a document with an undeclared field is a deterministic mapping error, never a silent new field.
    mappings: { dynamic: 'strict', properties },
  };
}

function indexSettings(shape: ElasticsearchTargetShape): JsonObject {
  const { shards = 1, replicas = 'auto', refreshInterval } = shape.settings ?? {};
  return {
    number_of_shards: shards,
    ...(replicas === 'auto' ? { auto_expand_replicas: '0-1' } : { number_of_replicas: replicas }),
    ...(refreshInterval !== undefined && { refresh_interval: refreshInterval }),
  };
}

function fieldMapping(field: ElasticsearchField | ElasticsearchSubField): JsonObject {
  // `date` keeps Elasticsearch's default format: strict_date_optional_time||epoch_millis.
  const subFields = 'fields' in field ? Object.entries(field.fields ?? {}) : [];
  return {
    type: field.type,
    ...(field.analyzer !== undefined && { analyzer: field.analyzer }),
    ...(field.searchAnalyzer !== undefined && { search_analyzer: field.searchAnalyzer }),
    // multi-fields: Elasticsearch indexes the parent's value once more per sub-field (issue #16)
    ...(subFields.length > 0 && {
      fields: Object.fromEntries(subFields.map(([name, sub]) => [name, fieldMapping(sub)])),
    }),
  };
}

/** `bool.must_not` clause that hides tombstones; every read through the alias adds it. */
export function excludeTombstones(): JsonObject {
  return { term: { [TOMBSTONE_FIELD]: true } };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Why `value` does not fit a field of this type, or undefined when it does (arrays of the type fit too). */
export function valueProblem(type: ElasticsearchFieldType, value: JsonValue): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === null) continue;
      const problem = valueProblem(type, item);
      if (problem !== undefined) return `${problem} (in a list)`;
    }
    return undefined;
  }
  switch (type) {
    case 'keyword':
    case 'text':
      return stringProblem(value);
    case 'integer':
      return int32Problem(value);
    case 'long':
      return safeIntegerProblem(value);
    case 'double':
      return finiteNumberProblem(value);
    case 'boolean':
      return booleanProblem(value);
    case 'date':
      return (typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))) ||
        (typeof value === 'number' && Number.isSafeInteger(value))
        ? undefined
        : `expects an ISO-8601 date or epoch milliseconds, got ${describeValue(value)}`;
  }
}

/**
 * Why the document does not fit the shape, or undefined. Unlike the relational target, an undeclared
 * field is a problem here: the strict mapping would reject the whole document.
 */
export function documentProblem(shape: ElasticsearchTargetShape, document: ViewDocument): string | undefined {
  const fields = shape.fields as Readonly<Record<string, ElasticsearchFieldDeclaration>>;
  // for...in, not Object.entries or Object.keys: this runs for every document of every batch.
  for (const name in fields) {
    const field = fields[name]!;
    const value = document[name];
    if (value === undefined || value === null) {
      if (name === shape.id || field.nullable === false)
        return `field "${name}" is required but the document has no value`;
      continue;
    }
    const problem = valueProblem(field.type, value);
    if (problem !== undefined) return `field "${name}" (${field.type}) ${problem}`;
  }
  for (const name in document) {
    if (fields[name] === undefined) {
      return `field "${name}" is not declared in the view's fields (the index mapping is strict); declare it or stop writing it`;
    }
  }
  return undefined;
}
