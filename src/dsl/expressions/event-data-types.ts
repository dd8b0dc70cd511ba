/**
 * `event.data` typed from a catalogued event's JSON Schema (issue #16), for the CEL checker only: the
 * checker then knows the payload's fields, so `event.data.custmerId` or `event.data.qty + "x"` is a load
 * error. Evaluation keeps the dynamic environment, so typing never changes what an expression computes.
 *
 * JSON Schema → CEL: `string` (and string enums) → string, `integer` → int, `boolean` → bool, an object
 * with `properties` → a type of its own (unknown fields are errors), any other object → map<string, dyn>,
 * `array` → list<item>. `number` is `dyn`: a JSON number without a fraction arrives as a CEL int, so a
 * static `double` would be wrong for `3`. Nullable fields and unions are `dyn` too.
 */
import type { JsonValue } from '../../core/json';

/** A CEL object type to register: its name and its fields' CEL types. */
export interface CelObjectType {
  readonly name: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The CEL types of one event's payload: `root` is the type of `event.data`. */
export interface EventDataTypes {
  /** For messages: `OrderPlaced (v2)`. */
  readonly label: string;
  readonly root: string;
  /** Every object type, the root's first; nested ones are named after their path. */
  readonly types: readonly CelObjectType[];
}

type Schema = { readonly [key: string]: JsonValue };

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The payload types of `eventType` at `version`; undefined when its schema is not an object with properties. */
export function eventDataTypes(
  eventType: string,
  version: number,
  schema: Schema,
): EventDataTypes | undefined {
  const root = `EventData_${eventType.replace(/[^A-Za-z0-9_]/g, '_')}_v${version}`;
  const types: CelObjectType[] = [];
  const rootType = celTypeOfSchema(schema, root, types, schema, 0);
  if (rootType !== root) return undefined;
  return { label: `${eventType} (v${version})`, root, types };
}

/** Nesting deeper than this (or a recursive `$ref`) is typed `dyn`. */
const MAX_DEPTH = 16;

function celTypeOfSchema(
  schema: unknown,
  name: string,
  types: CelObjectType[],
  document: Schema,
  depth: number,
): string {
  if (!isSchema(schema) || depth > MAX_DEPTH) return 'dyn';
  const resolved = resolveRef(schema, document);
  if (resolved !== schema) return celTypeOfSchema(resolved, name, types, document, depth + 1);
  if ('const' in schema) return literalType([schema.const]);
  if (Array.isArray(schema.enum)) return literalType(schema.enum);
  const type = schema.type;
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'array':
      return `list<${celTypeOfSchema(schema.items, `${name}_item`, types, document, depth + 1)}>`;
    case 'object': {
      if (!isSchema(schema.properties) || Object.keys(schema.properties).length === 0)
        return 'map<string, dyn>';
      // A schema that allows other fields (additionalProperties not false) still types the declared ones:
      // reading an undeclared field is far more often a typo than a use of that freedom.
      const fields: Record<string, string> = {};
      const entry = { name, fields };
      types.push(entry);
      for (const [field, fieldSchema] of Object.entries(schema.properties))
        fields[field] = celTypeOfSchema(
          fieldSchema,
          `${name}_${field.replace(/[^A-Za-z0-9_]/g, '_')}`,
          types,
          document,
          depth + 1,
        );
      return name;
    }
    default:
      // number (see the file comment), unions, null, or no type at all
      return 'dyn';
  }
}

function literalType(values: readonly JsonValue[]): string {
  if (values.length > 0 && values.every((value) => typeof value === 'string')) return 'string';
  if (values.length > 0 && values.every((value) => typeof value === 'boolean')) return 'bool';
  if (values.length > 0 && values.every((value) => typeof value === 'number' && Number.isInteger(value)))
    return 'int';
  return 'dyn';
}

/** A local `$ref` (`#/$defs/x`); anything else stays as it is. */
function resolveRef(schema: Schema, document: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let current: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    if (!isSchema(current)) return {};
    current = current[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isSchema(current) ? current : {};
}
