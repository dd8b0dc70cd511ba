/**
 * The view shape of the jsonfile store (a store that exists only under test/, to prove the store-module
 * seam of issue #13): documents under a key field, with typed fields, kept as one JSON file per
 * generation. The DSL section (jsonfile.dsl.ts) produces it and the target (jsonfile.target.ts) builds from it.
 */
import type { TargetShape } from '../../src/core/view-shape';

export const JSONFILE_KIND = 'jsonfile';

export type JsonFileFieldType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp';

export interface JsonFileField {
  readonly type: JsonFileFieldType;
  /** Fields must hold a value unless declared nullable; the key field never is. */
  readonly nullable: boolean;
}

export interface JsonFileTargetShape extends TargetShape {
  readonly kind: typeof JSONFILE_KIND;
  /** The name readers use (GET /views/:collection/documents/:key); no two projections may share one. */
  readonly collection: string;
  /** The field holding the document key (one of `fields`). */
  readonly key: string;
  readonly fields: Readonly<Record<string, JsonFileField>>;
}

export function isJsonFileShape(shape: TargetShape): shape is JsonFileTargetShape {
  return shape.kind === JSONFILE_KIND;
}

/** Why a document does not fit the shape (a missing required field, a value of the wrong type), or undefined. */
export function documentProblem(shape: JsonFileTargetShape, document: Readonly<Record<string, unknown>>) {
  for (const [name, field] of Object.entries(shape.fields)) {
    const value = document[name];
    if (value === undefined || value === null) {
      if (!field.nullable || name === shape.key) return `field "${name}" is required`;
      continue;
    }
    if (!fits(field.type, value))
      return `field "${name}" must be a ${field.type}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

function fits(type: JsonFileFieldType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamp':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
  }
}
