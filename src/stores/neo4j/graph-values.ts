/**
 * Values of graph operations as Neo4j parameters: declared property types checked and converted, node
 * keys compared the way Neo4j compares them.
 */
import neo4j from 'neo4j-driver';
import type { JsonValue } from '../../core/json';
import type { GraphPropertyType } from './neo4j-view-shape';
import { GraphShapeMismatchError } from './neo4j.errors';

/** Cypher for a property value: datetimes are stored as Neo4j DATETIME so queries can compare them. */
export function valueExpression(type: GraphPropertyType, parameter: string): string {
  return type === 'datetime' ? `datetime(${parameter})` : parameter;
}

/** The parameter for a declared property; numbers travel as floats unless made Neo4j integers. */
export function propertyValue(
  projection: string,
  name: string,
  type: GraphPropertyType,
  value: JsonValue | undefined,
): unknown {
  if (value === null || value === undefined) return null;
  const mismatch = () =>
    new GraphShapeMismatchError(
      projection,
      `property "${name}" is declared ${type} but got ${JSON.stringify(value)}`,
    );
  switch (type) {
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return neo4j.int(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return neo4j.int(value);
      throw mismatch();
    case 'float':
      if (typeof value === 'number') return value;
      throw mismatch();
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw mismatch();
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      throw mismatch();
    case 'datetime':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
      throw mismatch();
  }
}

/**
 * A node's identity as Neo4j sees it: its label and its key *as stored* (the converted parameter, or a
 * key read back from Neo4j), so `"7"` and `7` of an integer key are one node.
 */
export function nodeKeyId(label: string, key: unknown): string {
  const text = typeof key === 'bigint' || neo4j.isInt(key) ? key.toString() : String(key);
  return `${label}\u0000${text}`;
}

export function compareKeys(a: string | number, b: string | number): number {
  // numbers before strings, each in its own order; no string is built (a batch sorts ~10^5 pairs)
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
