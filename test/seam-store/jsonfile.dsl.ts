/**
 * The jsonfile store's DSL section (see src/stores/store-dsl.ts): `target: { kind: jsonfile, collection,
 * key, fields }`, a document view whose required fields the store enforces, read by key only (no named
 * queries).
 */
import { z } from 'zod';
import type { ValueKind } from '../../src/dsl/expressions/value-types';
import type { DocumentView, StoreDsl } from '../../src/stores/store-dsl';
import { JSONFILE_KIND, type JsonFileFieldType, type JsonFileTargetShape } from './jsonfile-view-shape';

const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'timestamp'] as const;

const NAME = /^[a-z][a-z0-9_]*$/;

export const JsonFileSectionSchema = z.strictObject({
  kind: z.literal(JSONFILE_KIND).describe('Documents kept as one JSON file per generation (test store).'),
  collection: z.string().regex(NAME, 'expected a lower-case name (letters, digits, _)'),
  key: z.string().min(1),
  fields: z.record(
    z.string().regex(NAME, 'expected a lower-case name (letters, digits, _)'),
    z.strictObject({ type: z.enum(FIELD_TYPES), nullable: z.boolean().default(false) }),
  ),
});
export type JsonFileSection = z.output<typeof JsonFileSectionSchema>;

const VALUE_KINDS: Record<JsonFileFieldType, ValueKind> = {
  string: 'string',
  integer: 'int',
  number: 'double',
  boolean: 'bool',
  timestamp: 'timestamp',
};

function view(section: JsonFileSection): DocumentView {
  return {
    family: 'document',
    noun: 'field',
    owner: `collection ${section.collection}`,
    key: section.key,
    fields: new Map(
      Object.entries(section.fields).map(([name, field]) => [
        name,
        { kind: VALUE_KINDS[field.type], nullable: field.nullable, array: false, declared: field.type },
      ]),
    ),
    unknownCode: 'unknown-field',
    enforcesNotNull: true,
  };
}

function shapeOf(section: JsonFileSection): JsonFileTargetShape {
  return {
    kind: JSONFILE_KIND,
    collection: section.collection,
    key: section.key,
    fields: Object.fromEntries(
      Object.entries(section.fields).map(([name, field]) => [
        name,
        { type: field.type, nullable: field.nullable },
      ]),
    ),
  };
}

export const jsonFileDsl: StoreDsl<JsonFileSection, JsonFileTargetShape> = {
  schema: JsonFileSectionSchema,
  family: 'document',
  viewName: 'collection',
  withoutQueries: 'jsonfile views are read by key',
  check(section, problems) {
    const key = section.fields[section.key];
    if (key === undefined)
      problems.add(
        'key-not-declared',
        ['target', 'key'],
        `the key "${section.key}" is not one of the fields`,
      );
    else if (key.nullable)
      problems.add(
        'key-nullable',
        ['target', 'fields', section.key, 'nullable'],
        'the key field cannot be nullable',
      );
  },
  view,
  shapeOf,
  keyFieldOf: (shape) => shape.key,
};
