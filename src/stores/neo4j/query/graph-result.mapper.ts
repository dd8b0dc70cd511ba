/**
 * Neo4j values to JSON for the query API: integers as numbers (strings beyond 2^53), nodes with their
 * declared labels, relationships with their declared type and the keys of their end nodes, paths as
 * segments, temporal values as ISO strings. Physical names never leave the API.
 */
import neo4j, { type Node, type Path, type Relationship } from 'neo4j-driver';
import type { JsonValue } from '../../../core/json';
import type { Neo4jTargetShape } from '../neo4j-view-shape';
import { declaredName, INTERNAL_PROPERTY_PREFIX } from '../neo4j-names';

export interface NodeEnd {
  readonly label: string;
  readonly key: JsonValue;
}

export class GraphResultMapper {
  /** Element id -> declared label and key, for nodes seen in the results or looked up afterwards. */
  private readonly ends = new Map<string, NodeEnd>();

  constructor(
    private readonly projection: string,
    private readonly generation: number,
    private readonly shape: Neo4jTargetShape,
  ) {}

  /** Remembers every node of a value and returns the element ids of relationship ends not seen yet. */
  collect(value: unknown, missing: Set<string>): void {
    if (value === null || typeof value !== 'object') return;
    if (value instanceof neo4j.types.Node) {
      this.remember(value as Node);
    } else if (value instanceof neo4j.types.Relationship) {
      const relationship = value as Relationship;
      missing.add(relationship.startNodeElementId);
      missing.add(relationship.endNodeElementId);
    } else if (value instanceof neo4j.types.Path) {
      for (const segment of (value as Path).segments) {
        this.remember(segment.start);
        this.remember(segment.end);
      }
    } else if (Array.isArray(value)) {
      for (const item of value) this.collect(item, missing);
    } else if (!isValueObject(value)) {
      for (const item of Object.values(value)) this.collect(item, missing);
    }
  }

  /** Element ids still unknown after `collect` (their nodes were not part of the results). */
  unknown(ids: Iterable<string>): string[] {
    return [...ids].filter((id) => !this.ends.has(id));
  }

  rememberLookup(id: string, labels: readonly string[], properties: Record<string, unknown>): void {
    this.ends.set(id, this.end(labels, properties));
  }

  toJson(value: unknown): JsonValue {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return this.declared(value) ?? value;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
    if (typeof value === 'bigint') return safe(value);
    if (neo4j.isInt(value)) return safe(BigInt(value.toString()));
    if (value instanceof neo4j.types.Node) return this.node(value as Node);
    if (value instanceof neo4j.types.Relationship) return this.relationship(value as Relationship);
    if (value instanceof neo4j.types.Path) return this.path(value as Path);
    if (isTemporal(value)) return (value as { toString(): string }).toString();
    if (neo4j.isPoint(value)) {
      const point: Record<string, JsonValue> = {
        srid: neo4j.integer.toNumber(value.srid),
        x: value.x,
        y: value.y,
      };
      if (value.z !== undefined) point.z = value.z;
      return point;
    }
    if (value instanceof Int8Array || value instanceof Uint8Array)
      return Buffer.from(value).toString('base64');
    if (Array.isArray(value)) return value.map((item) => this.toJson(item));
    if (typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.toJson(item)]));
    }
    return null;
  }

  private node(node: Node): JsonValue {
    return {
      labels: this.declaredLabels(node.labels),
      properties: this.properties(node.properties),
    };
  }

  private relationship(relationship: Relationship): JsonValue {
    const end = (id: string): JsonValue => {
      const known = this.ends.get(id);
      return known === undefined ? null : { label: known.label, key: known.key };
    };
    return {
      type: declaredName(relationship.type, this.projection, this.generation) ?? relationship.type,
      properties: this.properties(relationship.properties),
      start: end(relationship.startNodeElementId),
      end: end(relationship.endNodeElementId),
    };
  }

  private path(path: Path): JsonValue {
    return {
      segments: path.segments.map((segment) => ({
        start: this.node(segment.start),
        relationship: this.relationship(segment.relationship),
        end: this.node(segment.end),
      })),
    };
  }

  private remember(node: Node): void {
    this.ends.set(node.elementId, this.end(node.labels, node.properties));
  }

  private end(labels: readonly string[], properties: Record<string, unknown>): NodeEnd {
    const label = this.declaredLabels(labels)[0] ?? labels[0] ?? '';
    const key = this.shape.nodes[label]?.key;
    return { label, key: key === undefined ? null : this.toJson(properties[key]) };
  }

  private declaredLabels(labels: readonly string[]): string[] {
    return labels.flatMap((label) => {
      const declared = declaredName(label, this.projection, this.generation);
      return declared === undefined ? [] : [declared];
    });
  }

  private properties(properties: Record<string, unknown>): Record<string, JsonValue> {
    return Object.fromEntries(
      Object.entries(properties)
        .filter(([name]) => !name.startsWith(INTERNAL_PROPERTY_PREFIX))
        .map(([name, value]) => [name, this.toJson(value)]),
    );
  }

  /** `labels(n)` and `type(r)` return physical names: give the declared one back. */
  private declared(text: string): string | undefined {
    const declared = declaredName(text, this.projection, this.generation);
    return declared !== undefined && (declared in this.shape.nodes || declared in this.shape.relationships)
      ? declared
      : undefined;
  }
}

function safe(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

function isTemporal(value: unknown): boolean {
  return (
    neo4j.isDate(value) ||
    neo4j.isDateTime(value) ||
    neo4j.isLocalDateTime(value) ||
    neo4j.isTime(value) ||
    neo4j.isLocalTime(value) ||
    neo4j.isDuration(value)
  );
}

function isValueObject(value: object): boolean {
  return neo4j.isInt(value) || isTemporal(value) || neo4j.isPoint(value) || ArrayBuffer.isView(value);
}
