/**
 * `Neo4jTarget.scan`: a generation's nodes and relationships as pages of entries (keys in
 * ../graph-entity-keys.ts). Sections come in a fixed order (node labels sorted, then relationship types
 * sorted); nodes are ordered by key, relationships by (from key, to key), and a page continues after the
 * previous page's last entry with a keyset condition, so no SKIP and no cursor held open.
 */
import neo4j, { type ManagedTransaction } from 'neo4j-driver';
import type { JsonObject, JsonValue } from '../../core/json';
import type { Neo4jTargetShape } from './neo4j-view-shape';
import {
  graphNodeEntryKey,
  graphRelationshipEntryKey,
  parseGraphEntryKey,
  type GraphEntryKey,
} from '../graph-entity-keys';
import type { ScannedDocument, ScanOptions } from '../target.port';
import { INTERNAL_PROPERTY_PREFIX, physicalName, quoted } from './neo4j-names';

type Section =
  { readonly kind: 'node'; readonly name: string } | { readonly kind: 'rel'; readonly name: string };

export async function scanGraph(
  read: <T>(work: (tx: ManagedTransaction) => Promise<T>) => Promise<T>,
  projection: string,
  generation: number,
  shape: Neo4jTargetShape,
  options: ScanOptions,
): Promise<ScannedDocument[]> {
  const sections: Section[] = [
    ...Object.keys(shape.nodes)
      .sort()
      .map((name) => ({ kind: 'node' as const, name })),
    ...Object.keys(shape.relationships)
      .sort()
      .map((name) => ({ kind: 'rel' as const, name })),
  ];
  const after = options.after === undefined ? undefined : parseGraphEntryKey(options.after);
  let start = 0;
  if (after !== undefined) {
    const name = after.kind === 'node' ? after.label : after.type;
    start = sections.findIndex((s) => s.kind === after.kind && s.name === name);
    if (start < 0) return [];
  }
  const page: ScannedDocument[] = [];
  for (let i = start; i < sections.length && page.length < options.limit; i++) {
    const section = sections[i]!;
    const cursor = i === start ? after : undefined;
    const limit = options.limit - page.length;
    const physical = (name: string) => quoted('label', physicalName(name, projection, generation));
    if (section.kind === 'node') {
      const key = quoted('key', shape.nodes[section.name]!.key);
      const result = await read((tx) =>
        tx.run(
          `MATCH (n:${physical(section.name)}) WHERE $after IS NULL OR n.${key} > $after ` +
            `RETURN n.${key} AS key, properties(n) AS properties ORDER BY n.${key} LIMIT $limit`,
          { after: cursorValue(cursor, 'node'), limit: neo4j.int(limit) },
        ),
      );
      for (const record of result.records) {
        const properties = toProperties(record.get('properties'));
        page.push({ key: graphNodeEntryKey(section.name, toJson(record.get('key'))), document: properties });
      }
    } else {
      const relationship = shape.relationships[section.name]!;
      const fromKey = quoted('key', shape.nodes[relationship.from]!.key);
      const toKey = quoted('key', shape.nodes[relationship.to]!.key);
      const from = cursor?.kind === 'rel' ? cursor.from : null;
      const to = cursor?.kind === 'rel' ? cursor.to : null;
      const result = await read((tx) =>
        tx.run(
          `MATCH (a:${physical(relationship.from)})-[r:${physical(section.name)}]->(b:${physical(relationship.to)}) ` +
            `WHERE $from IS NULL OR a.${fromKey} > $from OR (a.${fromKey} = $from AND b.${toKey} > $to) ` +
            `RETURN a.${fromKey} AS from, b.${toKey} AS to, properties(r) AS properties ` +
            `ORDER BY a.${fromKey}, b.${toKey} LIMIT $limit`,
          { from, to, limit: neo4j.int(limit) },
        ),
      );
      for (const record of result.records) {
        page.push({
          key: graphRelationshipEntryKey(section.name, toJson(record.get('from')), toJson(record.get('to'))),
          document: toProperties(record.get('properties')),
        });
      }
    }
  }
  return page;
}

/**
 * The entries with these keys (`Target.readEntries`): one UNWIND read per label and per relationship type
 * among them, each endpoint found through its label's key (the uniqueness constraint's index).
 */
export async function readGraphEntries(
  read: <T>(work: (tx: ManagedTransaction) => Promise<T>) => Promise<T>,
  projection: string,
  generation: number,
  shape: Neo4jTargetShape,
  keys: readonly string[],
): Promise<ScannedDocument[]> {
  const nodes = new Map<string, JsonValue[]>();
  const relationships = new Map<string, JsonValue[][]>();
  for (const text of keys) {
    const key = parseGraphEntryKey(text);
    if (key?.kind === 'node' && shape.nodes[key.label] !== undefined) {
      nodes.set(key.label, [...(nodes.get(key.label) ?? []), key.key]);
    } else if (key?.kind === 'rel' && shape.relationships[key.type] !== undefined) {
      relationships.set(key.type, [...(relationships.get(key.type) ?? []), [key.from, key.to]]);
    }
  }
  const physical = (name: string) => quoted('label', physicalName(name, projection, generation));
  const found: ScannedDocument[] = [];
  for (const [label, values] of nodes) {
    const key = quoted('key', shape.nodes[label]!.key);
    const result = await read((tx) =>
      tx.run(
        `UNWIND $keys AS wanted MATCH (n:${physical(label)}) WHERE n.${key} = wanted ` +
          `RETURN n.${key} AS key, properties(n) AS properties`,
        { keys: values },
      ),
    );
    for (const record of result.records) {
      found.push({
        key: graphNodeEntryKey(label, toJson(record.get('key'))),
        document: toProperties(record.get('properties')),
      });
    }
  }
  for (const [type, pairs] of relationships) {
    const relationship = shape.relationships[type]!;
    const fromKey = quoted('key', shape.nodes[relationship.from]!.key);
    const toKey = quoted('key', shape.nodes[relationship.to]!.key);
    const result = await read((tx) =>
      tx.run(
        `UNWIND $pairs AS pair MATCH (a:${physical(relationship.from)}) WHERE a.${fromKey} = pair[0] ` +
          `MATCH (a)-[r:${physical(type)}]->(b:${physical(relationship.to)}) WHERE b.${toKey} = pair[1] ` +
          `RETURN a.${fromKey} AS from, b.${toKey} AS to, properties(r) AS properties`,
        { pairs },
      ),
    );
    for (const record of result.records) {
      found.push({
        key: graphRelationshipEntryKey(type, toJson(record.get('from')), toJson(record.get('to'))),
        document: toProperties(record.get('properties')),
      });
    }
  }
  return found;
}

function cursorValue(cursor: GraphEntryKey | undefined, kind: 'node'): JsonValue {
  return cursor?.kind === kind ? cursor.key : null;
}

/** Properties as JSON, without Prism's own (`_prism_placeholder`). */
function toProperties(value: unknown): JsonObject {
  const properties: JsonObject = {};
  for (const [name, property] of Object.entries(value as Record<string, unknown>)) {
    if (!name.startsWith(INTERNAL_PROPERTY_PREFIX)) properties[name] = toJson(property);
  }
  return properties;
}

/** Neo4j integers as numbers, temporal values as ISO-8601 (what the plan wrote), lists item by item. */
function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (neo4j.isInt(value)) return (value as { toNumber(): number }).toNumber();
  if (neo4j.isDateTime(value)) {
    return (value as { toStandardDate(): Date }).toStandardDate().toISOString();
  }
  if (Array.isArray(value)) return value.map(toJson);
  // Other temporal and spatial values (not declared by the DSL's property types) print as Neo4j does.
  if (typeof value === 'object' && Object.getPrototypeOf(value) !== Object.prototype) {
    return (value as { toString(): string }).toString();
  }
  return value as JsonValue;
}
