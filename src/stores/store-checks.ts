/**
 * A store module's `checks` section: what `prism plan` and `prism verify` (src/admin/checks) need to know
 * about a store's views, so that they compare shapes and entries without naming a store.
 *
 *  - `outline`: the view's declared shape as named settings and members, each told as one line of text;
 *    `prism plan` lists what a definition change adds, removes or changes by comparing two outlines.
 *  - `entryFields`: how an entry's fields compare (`verify`, and `plan`'s sample diff). Stores hand values
 *    back in their own ways (timestamps as Date or without milliseconds, bigint columns as strings), so
 *    fields are compared as instants or numbers where the declared type says so.
 *  - `sampleShape` (optional): the shape `plan`'s sample diff compares entries under, when comparing
 *    under the new shape alone would hide a change (default: the new shape).
 *
 * The registry hands each module only shapes of its own kind, so a module's checks are typed with its
 * own shape (`S`).
 */
import type { TargetShape } from '../core/view-shape';

/** How two values of a field are compared: as instants, as numbers, or as JSON values. */
export type FieldComparison = 'time' | 'number' | 'plain';

export interface ShapeOutline {
  /** Single-valued parts, by name, e.g. `table` -> `orders`, `key` -> `id`. Listed first, in this order. */
  readonly settings: Readonly<Record<string, string>>;
  /**
   * Named members by group, in the order groups are listed: e.g. `column` -> { total: 'bigint nullable' },
   * `node` -> { Customer: 'key id' }. A change is reported as `<group> <name>`.
   */
  readonly members: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface EntryFields {
  /** How each field's values compare; a field not listed compares `plain`. */
  readonly comparison: Readonly<Record<string, FieldComparison>>;
  /**
   * When set, the only fields the store keeps (a relational row holds exactly the declared columns): other
   * fields of a plan's document are not stored, so they are never a difference.
   */
  readonly stored?: ReadonlySet<string>;
}

export interface StoreChecks<S extends TargetShape = TargetShape> {
  outline(shape: S): ShapeOutline;
  /** `key` is the entry's key as `Target.scan` lists it (graph entry keys say which label or type). */
  entryFields(shape: S, key: string): EntryFields;
  sampleShape?(current: S, next: S): S;
}
