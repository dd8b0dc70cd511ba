/**
 * `Neo4jTarget.scan`: a generation's nodes and relationships as pages of entries (keys in
 * ../graph-entity-keys.ts). Sections come in a fixed order (node labels sorted, then relationship types
 * sorted); nodes are ordered by key, relationships by (from key, to key), as Cypher's ORDER BY sorts them:
 * string keys before number keys (integers and floats together, by value). A page continues after the
 * previous page's last entry with a keyset condition, so no SKIP and no cursor held open.
 *
 * Every page is a range seek on a label's key index (the uniqueness constraint), read in index order
 * (issue #17): `WHERE a.k > $after OR $after IS NULL` or a relationship pattern sorted as a whole made
 * Neo4j scan and sort the whole label or type for each page (1.2 s per page of 500 relationships on 135k,
 * quadratic over a scan). A range seek matches one type only (`k > "x"` is null for a number), so a
 * section is read in two phases, strings then numbers, which is also the ORDER BY order of mixed keys.
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
type Read = <T>(work: (tx: ManagedTransaction) => Promise<T>) => Promise<T>;

/** The key types of a section, in the order ORDER BY sorts them, and where each one's range starts. */
const PHASES = [
  { type: 'string', first: '' },
  { type: 'number', first: -Infinity },
] as const;

function phaseOf(value: JsonValue): number {
  return typeof value === 'number' ? 1 : 0;
}

export async function scanGraph(
  read: Read,
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
  const physical = (name: string) => quoted('label', physicalName(name, projection, generation));
  for (let i = start; i < sections.length && page.length < options.limit; i++) {
    const section = sections[i]!;
    const cursor = i === start ? after : undefined;
    const first = cursor === undefined ? 0 : phaseOf(cursor.kind === 'node' ? cursor.key : cursor.from);
    for (let phase = first; phase < PHASES.length && page.length < options.limit; phase++) {
      const limit = neo4j.int(options.limit - page.length);
      const resume = phase === first ? cursor : undefined;
      if (section.kind === 'node') {
        const key = quoted('key', shape.nodes[section.name]!.key);
        // From the phase's first value (inclusive), or after the cursor's key.
        const bound = resume?.kind === 'node' ? resume.key : PHASES[phase]!.first;
        const result = await read((tx) =>
          tx.run(
            `MATCH (n:${physical(section.name)}) WHERE n.${key} ${resume === undefined ? '>=' : '>'} $bound ` +
              `RETURN n.${key} AS key, properties(n) AS properties ORDER BY n.${key} LIMIT $limit`,
            { bound, limit },
          ),
        );
        for (const record of result.records) {
          const properties = toProperties(record.get('properties'));
          page.push({
            key: graphNodeEntryKey(section.name, toJson(record.get('key'))),
            document: properties,
          });
        }
      } else {
        page.push(...(await scanRelationships(read, physical, shape, section.name, phase, resume, limit)));
      }
    }
  }
  return page;
}

/**
 * One phase of a relationship section: from nodes in index order (their key's type is the phase's), each
 * one's relationships sorted by the other end's key (a PartialTop: only the from nodes the page reaches
 * are expanded). After a cursor (f, t): from keys above f, or f itself with a to key after t, t's type
 * order included (a number follows every string).
 */
async function scanRelationships(
  read: Read,
  physical: (name: string) => string,
  shape: Neo4jTargetShape,
  type: string,
  phase: number,
  cursor: GraphEntryKey | undefined,
  limit: ReturnType<typeof neo4j.int>,
): Promise<ScannedDocument[]> {
  const relationship = shape.relationships[type]!;
  const fromKey = quoted('key', shape.nodes[relationship.from]!.key);
  const toKey = quoted('key', shape.nodes[relationship.to]!.key);
  const resume = cursor?.kind === 'rel' ? cursor : undefined;
  const toAfter =
    resume === undefined
      ? 'true'
      : typeof resume.to === 'number'
        ? `b.${toKey} > $to`
        : `(b.${toKey} > $to OR b.${toKey} IS :: INTEGER | FLOAT)`;
  const result = await read((tx) =>
    tx.run(
      `MATCH (a:${physical(relationship.from)}) WHERE a.${fromKey} >= $from ` +
        `MATCH (a)-[r:${physical(type)}]->(b:${physical(relationship.to)}) ` +
        `WHERE ${resume === undefined ? 'true' : `a.${fromKey} > $from OR ${toAfter}`} ` +
        `RETURN a.${fromKey} AS from, b.${toKey} AS to, properties(r) AS properties ` +
        `ORDER BY a.${fromKey}, b.${toKey} LIMIT $limit`,
      { from: resume?.from ?? PHASES[phase]!.first, to: resume?.to ?? null, limit },
    ),
  );
  return result.records.map((record) => ({
    key: graphRelationshipEntryKey(type, toJson(record.get('from')), toJson(record.get('to'))),
    document: toProperties(record.get('properties')),
  }));
}

/**
 * The entries with these keys (`Target.readEntries`): one UNWIND read per label and per relationship type
 * among them, each endpoint found through its label's key (the uniqueness constraint's index).
 */
export async function readGraphEntries(
  read: Read,
  projection: string,
  generation: number,
  shape: Neo4jTargetShape,
  keys: readonly string[],
): Promise<ScannedDocument[]> {
  const nodes = new Map<string, JsonValue[]>();
  const relationships = new Map<string, JsonValue[][]>();
  for (const text of keys) {
    const key = parseGraphEntryKey(text);
    // appended in place: a copy per key was quadratic in the keys of a call
    if (key?.kind === 'node' && shape.nodes[key.label] !== undefined) {
      if (!nodes.has(key.label)) nodes.set(key.label, []);
      nodes.get(key.label)!.push(key.key);
    } else if (key?.kind === 'rel' && shape.relationships[key.type] !== undefined) {
      if (!relationships.has(key.type)) relationships.set(key.type, []);
      relationships.get(key.type)!.push([key.from, key.to]);
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
