/**
 * The fingerprint says when a view must be rebuilt: sha256 over the normalized definition.
 *
 * Normalized means: defaults filled in (the schema did that), expressions in canonical CEL form (so
 * `'placed'`, `"placed"` and extra spaces are the same), keys sorted, and everything that does not change
 * the view's content left out: `$schema`, descriptions, and named queries (they read the view, so changing
 * one needs no rebuild). Comments and formatting never reach the model. Any other change - a column, a
 * type, an action, an expression, the version - changes the fingerprint.
 *
 * Canonical by construction (issue #13): the model is walked generically, and every Expression node met,
 * wherever it sits, is put in canonical form; no field is named here, so a field added to the model later
 * is covered without anyone remembering. The walk runs over the written form (each action keyed by its
 * kind, as before the model was tagged, and each target kind under the name its store persists it by,
 * `StoreDsl.storedKind`), which keeps every existing fingerprint as it was: a changed fingerprint rebuilds
 * the view on upgrade (fingerprint-stability.unit.spec.ts holds them).
 */
import { createHash } from 'node:crypto';
import { parse as parseCel, serialize as serializeCel } from '@marcbachmann/cel-js';
import type { JsonValue } from '../../core/json';
import { isExpression } from '../model/expression';
import { writtenFormOf, type ProjectionModel } from '../model/projection.model';

/** Top-level sections that read or describe the view without changing its content. */
const NOT_VIEW_CONTENT: ReadonlySet<string> = new Set(['$schema', 'description', 'queries']);

export function fingerprintOf(definition: ProjectionModel): string {
  return createHash('sha256')
    .update(canonicalJson(normalizedDefinition(definition)))
    .digest('hex');
}

/** The part of a definition that determines the view's content, in canonical form. */
export function normalizedDefinition(definition: ProjectionModel): JsonValue {
  const content = Object.entries(writtenFormOf(definition)).filter(
    // `segments: 1` is no segmenting at all: the same fingerprint as leaving it out
    ([section, value]) => !NOT_VIEW_CONTENT.has(section) && !(section === 'segments' && value === 1),
  );
  return canonicalValue({
    ...Object.fromEntries(content),
    // the order events are listed in reads no differently
    source: { ...definition.source, events: [...definition.source.events].sort() },
  });
}

/** Every expression in canonical CEL; everything else as JSON; `undefined` members left out. */
function canonicalValue(value: unknown): JsonValue {
  if (isExpression(value)) return canonicalExpression(value.source);
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as JsonValue;
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, canonicalValue(item)]),
    );
  }
  // a model holds JSON and expressions only; anything else would be hashed wrongly, so it is refused
  throw new Error(`internal: cannot fingerprint a ${typeof value}`);
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
