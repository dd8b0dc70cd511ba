/**
 * The fingerprint says when a view must be rebuilt: sha256 over the normalized definition.
 *
 * Normalized means: defaults filled in (the schema did that), expressions in canonical CEL form (so
 * `'placed'`, `"placed"` and extra spaces are the same), keys sorted, and everything that does not change
 * the view's content left out: `$schema`, descriptions, and named queries (they read the view, so changing
 * one needs no rebuild). Comments and formatting never reach the model. Any other change - a column, a
 * type, an action, an expression, the version - changes the fingerprint.
 */
import { createHash } from 'node:crypto';
import { parse as parseCel, serialize as serializeCel } from '@marcbachmann/cel-js';
import type { JsonValue } from '../../core/json';
import type { ActionDefinition, ProjectionDefinition } from '../model/definition.schema';

export function fingerprintOf(definition: ProjectionDefinition): string {
  return createHash('sha256')
    .update(canonicalJson(normalizedDefinition(definition)))
    .digest('hex');
}

/** The part of a definition that determines the view's content, in canonical form. */
export function normalizedDefinition(definition: ProjectionDefinition): JsonValue {
  return {
    name: definition.name,
    version: definition.version,
    source: {
      events: [...definition.source.events].sort(),
      ...(definition.source.streamPrefix === undefined
        ? {}
        : { streamPrefix: definition.source.streamPrefix }),
    },
    target: definition.target as unknown as JsonValue,
    onPoison: definition.onPoison,
    handlers: Object.fromEntries(
      Object.entries(definition.handlers).map(([eventType, actions]) => [
        eventType,
        actions.map(normalizeAction),
      ]),
    ),
  };
}

function normalizeAction(action: ActionDefinition): JsonValue {
  const [kind, body] = Object.entries(action)[0] as [string, Record<string, unknown>];
  const normalized: Record<string, JsonValue> = {};
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined) continue;
    if (field === 'key' || field === 'when') normalized[field] = canonicalExpression(value as string);
    else if (field === 'set' || field === 'increment' || field === 'append') {
      normalized[field] = Object.fromEntries(
        Object.entries(value as Record<string, string>).map(([name, source]) => [
          name,
          canonicalExpression(source),
        ]),
      );
    } else if (field === 'from' || field === 'to') {
      const end = value as { label?: string; key: string };
      normalized[field] = {
        ...(end.label === undefined ? {} : { label: end.label }),
        key: canonicalExpression(end.key),
      };
    } else normalized[field] = value as JsonValue;
  }
  return { [kind]: normalized };
}

/** One spelling per expression: parsed and printed back by the CEL engine. */
export function canonicalExpression(source: string): string {
  try {
    return serializeCel(parseCel(source).ast);
  } catch {
    return source.trim(); // unreachable for checked definitions; keeps the function total
  }
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
}
