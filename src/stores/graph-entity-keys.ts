/**
 * Keys of a graph view's entries when it is listed as documents (`Target.scan`, `prism verify`): one
 * entry per node and per relationship. Labels and types are identifiers (no `:`), so the name ends at the
 * second `:` and the rest is JSON, which keeps `"5"` and `5` apart and parses back without ambiguity.
 *
 *   node:Customer:"c1"          its properties, key included
 *   rel:CONTAINS:["o1","p1"]    its properties (a type always joins the same two labels, see the shape)
 */
import type { JsonValue } from '../core/json';

export type GraphEntryKey =
  | { readonly kind: 'node'; readonly label: string; readonly key: JsonValue }
  | { readonly kind: 'rel'; readonly type: string; readonly from: JsonValue; readonly to: JsonValue };

export function graphNodeEntryKey(label: string, key: JsonValue): string {
  return `node:${label}:${JSON.stringify(key)}`;
}

export function graphRelationshipEntryKey(type: string, from: JsonValue, to: JsonValue): string {
  return `rel:${type}:${JSON.stringify([from, to])}`;
}

/** The parts of an entry key, or undefined when the text is not one. */
export function parseGraphEntryKey(text: string): GraphEntryKey | undefined {
  const match = /^(node|rel):([A-Za-z_][A-Za-z0-9_]*):(.*)$/s.exec(text);
  if (match === null) return undefined;
  let value: JsonValue;
  try {
    value = JSON.parse(match[3]!) as JsonValue;
  } catch {
    return undefined;
  }
  if (match[1] === 'node') return { kind: 'node', label: match[2]!, key: value };
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  return { kind: 'rel', type: match[2]!, from: value[0]!, to: value[1]! };
}
