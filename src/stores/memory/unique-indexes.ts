/**
 * An in-memory document table that keeps the unique indexes a relational view declares, so a fold in
 * memory refuses the documents PostgreSQL refuses (issue #12: `verify` of customer_directory rebuilt a
 * duplicate-email customer that the live view had parked, and reported it as "only rebuilt").
 *
 * Same rules as a PostgreSQL unique index: a row whose indexed columns are all non-null may not share
 * their values with another row (NULLs are distinct), values compared as the column type stores them
 * (numbers by value, timestamps by instant, JSON by content). It is a `Map`, so the batch fold reads and
 * updates it like any state map; `violation` says why a document would be refused.
 */
import type { JsonValue } from '../../core/json';
import type { DocumentKey, ViewDocument } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import { isRelationalShape, type RelationalColumnType } from '../relational/relational-view-shape';

interface UniqueIndex {
  readonly columns: readonly string[];
  readonly types: readonly RelationalColumnType[];
  /** Indexed values (canonical JSON) -> the key of the document that holds them. */
  readonly owners: Map<string, DocumentKey>;
}

export class UniqueIndexedDocuments extends Map<DocumentKey, ViewDocument> {
  private indexes: readonly UniqueIndex[] = [];
  private keyColumn: string | undefined;

  /** Keeps the unique indexes `shape` declares (none for other views: then a plain map). */
  static forShape(shape: TargetShape): UniqueIndexedDocuments {
    return new UniqueIndexedDocuments().withShape(shape);
  }

  /** Takes the unique indexes of `shape` (a subclass's factory calls it on its own instance). */
  protected withShape(shape: TargetShape): this {
    if (isRelationalShape(shape)) {
      this.keyColumn = shape.key;
      this.indexes = shape.indexes
        .filter((index) => index.unique)
        .map((index) => ({
          columns: index.columns,
          types: index.columns.map((column) => shape.columns[column]?.type ?? 'text'),
          owners: new Map(),
        }));
    }
    return this;
  }

  /** Why storing this document would violate a unique index, or undefined. */
  violation(document: ViewDocument): string | undefined {
    if (this.keyColumn === undefined) return undefined;
    const key = keyText(document[this.keyColumn]);
    for (const index of this.indexes) {
      const values = indexedValues(index, document);
      if (values === undefined) continue;
      const owner = index.owners.get(values);
      if (owner !== undefined && owner !== key) {
        return (
          `duplicate key value violates unique index on (${index.columns.join(', ')}): ` +
          `${values} is already held by key "${owner}"`
        );
      }
    }
    return undefined;
  }

  /**
   * Per value, the keys of the documents whose `field` holds it, at most `limit`, in key order (fan-out
   * updates, src/core/fan-out.ts). A scan: a rebuild in memory has no secondary index to read.
   */
  findKeys(field: string, values: readonly (string | number)[], limit: number): DocumentKey[][] {
    return findKeysIn(this, field, values, limit);
  }

  override set(key: DocumentKey, document: ViewDocument): this {
    this.unindex(key);
    for (const index of this.indexes) {
      const values = indexedValues(index, document);
      if (values !== undefined) index.owners.set(values, key);
    }
    return super.set(key, document);
  }

  override delete(key: DocumentKey): boolean {
    this.unindex(key);
    return super.delete(key);
  }

  override clear(): void {
    for (const index of this.indexes) index.owners.clear();
    super.clear();
  }

  private unindex(key: DocumentKey): void {
    // `this.get`: a subclass may keep documents elsewhere than in the map (verify's SpilledDocuments).
    const previous = this.get(key);
    if (previous === undefined) return;
    for (const index of this.indexes) {
      const values = indexedValues(index, previous);
      if (values !== undefined && index.owners.get(values) === key) index.owners.delete(values);
    }
  }
}

/** Per value, the keys of the documents whose `field` holds it, at most `limit`, in key order (a scan). */
export function findKeysIn(
  documents: Iterable<[DocumentKey, ViewDocument]>,
  field: string,
  values: readonly (string | number)[],
  limit: number,
): DocumentKey[][] {
  const wanted = new Map(values.map((value, index) => [value, index]));
  const found = values.map((): DocumentKey[] => []);
  for (const [key, document] of documents) {
    const value = document[field];
    const index = typeof value === 'string' || typeof value === 'number' ? wanted.get(value) : undefined;
    if (index !== undefined) found[index]!.push(key);
  }
  return found.map((keys) => keys.sort().slice(0, limit));
}

/** The indexed columns' values as one comparable string; undefined when one is null (never a conflict). */
function indexedValues(index: UniqueIndex, document: ViewDocument): string | undefined {
  const values: JsonValue[] = [];
  for (let i = 0; i < index.columns.length; i += 1) {
    const value = document[index.columns[i]!];
    if (value === undefined || value === null) return undefined;
    values.push(canonical(value, index.types[i]!));
  }
  return JSON.stringify(values);
}

function canonical(value: JsonValue, type: RelationalColumnType): JsonValue {
  switch (type) {
    case 'integer':
    case 'bigint':
    case 'double':
    case 'numeric':
      return typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))
        ? Number(value)
        : value;
    case 'timestamptz': {
      const time = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
      return time === undefined || Number.isNaN(time.getTime()) ? value : time.toISOString();
    }
    case 'uuid':
      return typeof value === 'string' ? value.toLowerCase() : value;
    case 'jsonb':
      return sortedKeys(value);
    default:
      return value;
  }
}

/** jsonb compares objects by content, whatever the key order. */
function sortedKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, JsonValue> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortedKeys(value[key] ?? null);
  return sorted;
}

/** A key column value as the DocumentKey the plan uses (as the relational target reads it back). */
function keyText(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
