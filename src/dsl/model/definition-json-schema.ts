/**
 * The JSON Schemas editors use for completion and checking, generated from the zod schemas (the one source
 * of truth) and committed as projections/prism-projection.schema.json and
 * projections/prism-projection-test.schema.json. `prism schema` rewrites them; a unit test fails when the
 * committed files differ from what the schemas generate.
 */
import { z } from 'zod';
import { storeModules } from '../../stores/registry';
import { ProjectionTestFileSchema } from '../testing/projection-test.schema';
import { projectionDefinitionSchema } from './definition.schema';

export const DEFINITION_SCHEMA_FILE = 'projections/prism-projection.schema.json';
export const TEST_SCHEMA_FILE = 'projections/prism-projection-test.schema.json';

/** Draft-07: what the YAML language server and most editors understand best. */
function toJsonSchema(schema: z.ZodType, title: string, description: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'throw' });
  return { ...generated, title, description };
}

export function definitionJsonSchema(): Record<string, unknown> {
  return toJsonSchema(
    projectionDefinitionSchema(),
    'Prism projection definition',
    `A projection: its source events, target view shape, what each event does, and named read queries. The target section of each store comes from its store module (src/stores/<store>/<store>.dsl.ts).${aliasNote()} Generated from src/dsl/model/definition.schema.ts by \`prism schema\`; do not edit.`,
  );
}

/**
 * The definition schema with the app's event types offered for completion (issue #16): as `examples` of
 * `source.events` entries, and as known `handlers` keys (sharing one handler schema under `$defs`). Other
 * names stay valid, as the loader allows them (with a warning, or an error for a complete catalog).
 */
export function withEventTypes(
  schema: Record<string, unknown>,
  eventTypes: readonly string[],
): Record<string, unknown> {
  if (eventTypes.length === 0) return schema;
  const copy = structuredClone(schema) as Schema;
  const properties = copy.properties as Record<string, Schema> | undefined;
  const events = ((properties?.source?.properties as Record<string, Schema> | undefined)?.events?.items ??
    undefined) as Schema | undefined;
  if (events) events.examples = [...eventTypes];
  const handlers = properties?.handlers;
  if (handlers && typeof handlers.additionalProperties === 'object') {
    const defs = (copy.$defs ?? {}) as Record<string, unknown>;
    defs.handlerActions = handlers.additionalProperties;
    copy.$defs = defs;
    const ref = { $ref: '#/$defs/handlerActions' };
    handlers.additionalProperties = ref;
    handlers.properties = Object.fromEntries(eventTypes.map((type) => [type, ref]));
  }
  return copy;
}

type Schema = Record<string, unknown>;

/** The accepted aliases of target kinds, e.g. ` A target kind may also be written as an alias: "postgres" (read as "relational").` */
function aliasNote(): string {
  const aliases = storeModules().flatMap((module) =>
    (module.aliases ?? []).map((alias) => `"${alias}" (read as "${module.kind}")`),
  );
  return aliases.length === 0 ? '' : ` A target kind may also be written as an alias: ${aliases.join(', ')}.`;
}

export function projectionTestJsonSchema(): Record<string, unknown> {
  return toJsonSchema(
    ProjectionTestFileSchema,
    'Prism projection test',
    'Projection tests as data: given events, the whole expected view. Generated from src/dsl/testing/projection-test.schema.ts by `prism schema`; do not edit.',
  );
}

/**
 * The committed file's exact text: 2-space JSON laid out the way Prettier lays it out (objects expanded,
 * short lists of scalars on one line), so `prism schema` output passes `prettier --check` unchanged.
 */
export function renderJsonSchema(schema: Record<string, unknown>): string {
  return `${renderJson(schema, 0, 0)}\n`;
}

const PRINT_WIDTH = 110;

/** `prefix` is how many characters precede the value on its line (indentation, key, `: `). */
function renderJson(value: unknown, indent: number, prefix: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = ' '.repeat(indent + 2);
  const closing = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const scalars = value.every((item) => item === null || typeof item !== 'object');
    const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    // +1 for the comma that may follow the value
    if (scalars && prefix + flat.length + 1 <= PRINT_WIDTH) return flat;
    return `[\n${value.map((item) => inner + renderJson(item, indent + 2, inner.length)).join(',\n')}\n${closing}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries
    .map(([key, item]) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return head + renderJson(item, indent + 2, head.length);
    })
    .join(',\n')}\n${closing}}`;
}
