/**
 * `MemoryTarget.scan`: a generation's entries in the order every target lists them (Target.scan):
 * documents by key; graphs as node labels (sorted), each by key, then relationship types (sorted), each by
 * (from key, to key), keyed as src/stores/graph-entity-keys.ts says. Properties set to null are left out,
 * as Neo4j removes a property set to null.
 */
import type { JsonObject, JsonValue } from '../../core/json';
import { graphNodeEntryKey, graphRelationshipEntryKey, parseGraphEntryKey } from '../graph-entity-keys';
import type { ScannedDocument, ScanOptions } from '../target.port';
import type { MemoryDocumentView, MemoryGraphView } from './memory.view';

export function scanDocuments(view: MemoryDocumentView, options: ScanOptions): ScannedDocument[] {
  const after = options.after;
  return view
    .entries()
    .filter(([key]) => after === undefined || key > after)
    .slice(0, Math.max(1, options.limit))
    .map(([key, document]) => ({ key, document }));
}

type Position = readonly (number | JsonValue)[];

export function scanGraph(view: MemoryGraphView, options: ScanOptions): ScannedDocument[] {
  const labels = Object.keys(view.shape.nodes).sort();
  const types = Object.keys(view.shape.relationships).sort();
  const entries: { position: Position; entry: ScannedDocument }[] = [];
  for (const node of view.allNodes()) {
    const keyProperty = view.shape.nodes[node.label]?.key ?? 'key';
    entries.push({
      position: [labels.indexOf(node.label), node.key],
      entry: {
        key: graphNodeEntryKey(node.label, node.key),
        document: { ...withoutNulls(node.properties), [keyProperty]: node.key },
      },
    });
  }
  for (const relationship of view.allRelationships()) {
    const { from, to } = relationship;
    entries.push({
      position: [labels.length + types.indexOf(relationship.type), from.key, to.key],
      entry: {
        key: graphRelationshipEntryKey(relationship.type, from.key, to.key),
        document: withoutNulls(relationship.properties),
      },
    });
  }
  entries.sort((a, b) => compare(a.position, b.position));
  const cursor = cursorPosition(options.after, labels, types);
  return entries
    .filter((item) => cursor === undefined || compare(item.position, cursor) > 0)
    .slice(0, Math.max(1, options.limit))
    .map((item) => item.entry);
}

function cursorPosition(after: string | undefined, labels: string[], types: string[]): Position | undefined {
  if (after === undefined) return undefined;
  const parsed = parseGraphEntryKey(after);
  // Not an entry key of this view: nothing comes after it.
  if (parsed === undefined) return [Number.MAX_SAFE_INTEGER];
  if (parsed.kind === 'node') {
    const section = labels.indexOf(parsed.label);
    return section < 0 ? [Number.MAX_SAFE_INTEGER] : [section, parsed.key];
  }
  const section = types.indexOf(parsed.type);
  return section < 0 ? [Number.MAX_SAFE_INTEGER] : [labels.length + section, parsed.from, parsed.to];
}

/** Element by element; a shorter prefix first. Numbers by value, strings by code unit, strings first. */
function compare(a: Position, b: Position): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const order = compareValues(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

function compareValues(a: JsonValue, b: JsonValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a !== typeof b) return typeof a === 'string' ? -1 : 1;
  const left = typeof a === 'string' ? a : JSON.stringify(a);
  const right = typeof b === 'string' ? b : JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

function withoutNulls(properties: Readonly<Record<string, JsonValue>>): JsonObject {
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== null));
}
