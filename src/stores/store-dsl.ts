/**
 * A store module's DSL section: everything the DSL knows about one store's `target:` section. The core
 * (src/dsl) builds the target union of the schema, the JSON Schema, the checks, the view shape and the
 * named-query checks from the registered modules' sections, at call time, so a module registered at run
 * time is validated like a built-in one.
 *
 * A section describes its view in one of two families (src/core/view-shape.ts): documents under a key, or
 * a graph. The generic validator checks the actions of that family against the description (which fields
 * exist, with which value types); everything that depends on the store itself (names it reserves, limits
 * of its own, checks across the section's fields, its query language) is the section's.
 *
 * Problems are reported through the DSL's `Problems` with full paths (`['target', 'columns', 'id']`), so
 * a store's messages get file:line:column like every other.
 */
import type { z } from 'zod';
import type { TargetShape, ViewFamily } from '../core/view-shape';
import type { ValueType } from '../dsl/expressions/value-types';
import type { QueryParameterDefinition } from '../dsl/model/definition.schema';
import type { PathSegment } from '../dsl/source/source-locator';
import type { Problems } from '../dsl/validation/problems';

/** A validated target section as the core sees it: the store's own fields beside `kind`. */
export interface TargetSection {
  readonly kind: string;
}

/** What a document view's writes are checked against. */
export interface DocumentView {
  readonly family: 'document';
  /** What the store calls a field, for messages: `column`, `field`. */
  readonly noun: string;
  /** What holds the documents, for messages: `table orders`, `index products`. */
  readonly owner: string;
  /** The field holding the document key. */
  readonly key: string;
  readonly fields: ReadonlyMap<string, ValueType>;
  readonly unknownCode: 'unknown-column' | 'unknown-field';
  /**
   * The store refuses a new document that leaves a non-nullable field unset (a relational NOT NULL
   * column): the validator warns about an upsert that would, and the plan fails such an event as a poison
   * event before the store does.
   */
  readonly enforcesNotNull: boolean;
  /**
   * The fields a fan-out update (`updateAll.where`, issue #16) may select documents by: those the store
   * finds documents by efficiently (a relational column leading a declared index, an Elasticsearch keyword
   * field). Absent: none.
   */
  readonly secondaryKeys?: ReadonlySet<string>;
  /** How to make a field a secondary key here (`<name>`: the field), for the message refusing one. */
  readonly secondaryKeyHint?: string;
}

export interface GraphNodeView {
  /** The property identifying a node of this label. */
  readonly key: string;
  readonly properties: Readonly<Record<string, ValueType>>;
  /** The properties `updateNodes` may select nodes by (declared indexes; issue #16). Absent: none. */
  readonly secondaryKeys?: readonly string[];
}

export interface GraphRelationshipView {
  readonly from: string;
  readonly to: string;
  readonly properties: Readonly<Record<string, ValueType>>;
}

/** What a graph view's merges are checked against: labels and relationship types with their properties. */
export interface GraphView {
  readonly family: 'graph';
  readonly nodes: Readonly<Record<string, GraphNodeView>>;
  readonly relationships: Readonly<Record<string, GraphRelationshipView>>;
}

export type TargetView = DocumentView | GraphView;

/** A section that failed the schema only in some declarations, made checkable (see `StoreDsl.salvage`). */
export interface SalvagedSection<Section extends TargetSection = TargetSection> {
  readonly section: Section;
  /**
   * Declarations that failed the schema and were replaced by permissive placeholders: document field
   * names, or `Label.property` / `TYPE.property` in a graph. Writes to them are compiled, not type-checked.
   */
  readonly untyped: ReadonlySet<string>;
}

/** Size checks on the raw, not yet validated definition (see src/dsl/validation/shape-limits.ts). */
export interface SectionLimits {
  /** `limit-exceeded` at `path` when `count` is over `limit`: "<count> <what>; at most <limit> are allowed". */
  over(path: readonly PathSegment[], count: number, limit: number, what: string, hint?: string): void;
  /** `limit-exceeded` when `name` is a string longer than `limit` characters. */
  nameLength(
    path: readonly PathSegment[],
    name: unknown,
    limit: number,
    what: string,
    at?: 'key' | 'value',
  ): void;
  /** Entries of a mapping (none for anything else), and the size of a mapping or list. */
  entries(value: unknown): [string, unknown][];
  count(value: unknown): number;
}

/** One named query of a view, for its store's query-language checks. */
export interface NamedQueryCheck<Section extends TargetSection = TargetSection> {
  readonly section: Section;
  /** `['queries', <name>]`. */
  readonly path: readonly PathSegment[];
  /** The value of the language's field (present). */
  readonly text: unknown;
  readonly parameters: Readonly<Record<string, QueryParameterDefinition>>;
  /** The query's values of the language's `options` that are present (e.g. `facets`). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly problems: Problems;
}

/** The language a store's named queries are written in: one field of a query, e.g. `cypher: ...`. */
export interface StoreQueryLanguage<Section extends TargetSection = TargetSection> {
  /** The query field holding the query text. */
  readonly field: string;
  /** Its schema, part of every query's schema (a query names the field of its own store only). */
  readonly schema: z.ZodType;
  /**
   * Further fields of a query that only this language reads, beside the text (Elasticsearch: `facets`),
   * each optional; a query of another store's view naming one is refused like a foreign text field.
   * The compiled NamedQuery carries their values in `options`.
   */
  readonly options?: Readonly<Record<string, z.ZodType>>;
  /** Size limits of the raw text, before any schema runs. */
  checkLimits?(text: unknown, path: readonly PathSegment[], problems: Problems): void;
  /** Checks one query's text against its parameters and the view. */
  check(query: NamedQueryCheck<Section>): void;
}

export interface StoreDsl<
  Section extends TargetSection = TargetSection,
  Shape extends TargetShape = TargetShape,
> {
  /**
   * The section's schema: a strict object whose `kind` is `z.literal(<the module's kind>)`. The core adds
   * the module's aliases to `kind` (an alias is read as the kind) and joins the sections into one union.
   */
  readonly schema: z.ZodObject;
  readonly family: ViewFamily;
  /**
   * The name the kind is persisted by, when the kind was renamed since views were first written
   * (relational: `postgres`, one of its aliases): the stored definition model writes it and so the
   * fingerprint hashes it, so a rename rebuilds no view and an older Prism still reads a stored model.
   */
  readonly storedKind?: string;
  /**
   * The section field naming the store object a view writes (a table, an index): two definitions of a
   * folder may not name the same one. Absent when the store keeps views apart itself.
   */
  readonly viewName?: string;
  /** The store's named-query language; absent when its views are read through its API only. */
  readonly queries?: StoreQueryLanguage<Section>;
  /** Why a view of this store has no named queries, for the message refusing one. */
  readonly withoutQueries?: string;
  /** Size limits of the raw section (still unvalidated), checked before the schema runs. */
  checkLimits?(raw: Readonly<Record<string, unknown>>, limits: SectionLimits): void;
  /**
   * When the raw section (its `kind` already normalized) fails the schema only in some field or property
   * declarations, the rest made checkable; undefined when nothing can be saved.
   */
  salvage?(raw: Readonly<Record<string, unknown>>): SalvagedSection<Section> | undefined;
  /** Checks across the section's own fields, and the names the store keeps for itself. */
  check(section: Section, problems: Problems): void;
  /** The fields (documents) or labels and types (graphs) actions write, with their value types. */
  view(section: Section): TargetView;
  /** The view shape the store's target builds from. */
  shapeOf(section: Section): Shape;
  /** Document views: the field holding a document's key in a view of this shape. */
  keyFieldOf?(shape: Shape): string;
}
