/**
 * Writes a batch of graph operations as a few parameterized `UNWIND $rows` statements that give the same
 * graph as applying the operations one by one in log order (segments and phases: graph-segments.ts).
 *
 * Issue #17: the batch first looks up, in the commit's transaction, which of the nodes its merges touch
 * exist (one read statement, index seeks through the keys' uniqueness constraints). Knowing that, each
 * segment writes
 *   1. its mergeNode rows: CREATE for nodes that do not exist, MATCH + SET for those that do;
 *   2. the relationship ends that exist nowhere yet: CREATE as placeholders; then the new nodes that
 *      are CREATEd with their first relationship in one statement (graph-fused-creates.ts);
 *   3. its mergeRelationship rows, both ends found by MATCH on their keys: CREATE when an end was created
 *      in this segment (steps 1-2), MERGE otherwise;
 *   4. its updateNodes rows (fan-out, issue #16): per selected value, the nodes of the label holding it,
 *      matched in the transaction through the property's RANGE index, so nodes the batch created or
 *      changed earlier match by their state at that point; past the row's cap the statement returns the
 *      row and write() throws FanOutCapError (poison: the runner bisects and parks the event alone);
 *   5. relationship deletes, then node deletes (as before).
 * Rows are deduplicated per node or relationship (the last one of a group wins, as one by one: a group
 * sets the same properties every time) and sorted by key, so concurrent writers lock in the same order.
 * A node merged and deleted in the same segment (an order placed and cancelled in one batch) is not
 * written at all: its relationships would go with it; their other ends are still created if missing, and
 * the node's DETACH DELETE still runs (it may have existed before the batch).
 *
 * Why CREATE is safe: a relationship is CREATEd only when one of its ends was CREATEd in the same segment
 * of the same transaction. A node CREATE under the key's uniqueness constraint either makes a fresh node,
 * which has no relationships but the ones this segment creates (deduplicated), or fails the transaction.
 * The lookup only chooses between CREATE and MATCH; it is read after the checkpoint claim, which holds the
 * lock every writer of this generation takes first, and statements that MATCH check that every row found
 * its nodes, so a graph changed under the batch fails the batch instead of writing a partial one. The
 * checkpoint commits in the same transaction: a replayed batch sees the graph as it was before it.
 */
import { toNumber } from './neo4j-bookkeeping';
import { GraphChangedUnderBatchError } from './neo4j.errors';
import { MATCHED_COLUMN, OVER_CAP_COLUMN, type GraphCypher, type RelationshipMode } from './graph-cypher';
import { fuseCreates, type FreshNode } from './graph-fused-creates';
import type { FanOutRow, NodeRow, PreparedGroup, RelationshipRow } from './graph-statement-builder';
import { compareKeys, nodeKeyId } from './graph-values';

export { segmentOperations, type GraphOperation } from './graph-segments';

export interface GraphStatement {
  readonly cypher: string;
  readonly rows: readonly unknown[];
  /** Set on statements that MATCH their nodes: each row must find them (RETURN count(*) AS matched). */
  readonly matches?: number;
  /**
   * Set on updateNodes statements: they return the rows over their cap (OVER_CAP_COLUMN: the row's index),
   * and the first one's error fails the transaction (a poison event).
   */
  readonly overCap?: (row: number) => Error;
}

type NodeGroup = Extract<PreparedGroup, { kind: 'mergeNode' | 'deleteNode' }>;

/** The error of an updateNodes row over its cap (see GraphStatementBuilder.overCap). */
export type OverCapError = (group: Extract<PreparedGroup, { kind: 'updateNodes' }>, row: FanOutRow) => Error;

/** Runs one statement in the commit's transaction (the target's `tx.run`; the profile adds PROFILE). */
export type RunStatement = (
  cypher: string,
  parameters: Record<string, unknown>,
) => Promise<{ readonly records: readonly { get(key: string): unknown }[] }>;

/** One batch, checked against the shape and grouped: `write` runs it in the commit's transaction. */
export class GraphBatch {
  constructor(
    private readonly cypher: GraphCypher,
    private readonly segments: readonly (readonly PreparedGroup[])[],
    /** The nodes the merges touch, per label: id → key parameter. */
    private readonly touched: ReadonlyMap<string, ReadonlyMap<string, unknown>>,
    private readonly overCap: OverCapError,
  ) {}

  /** The read that tells which touched nodes do not exist, or undefined when the batch merges nothing. */
  get lookup():
    | { readonly cypher: string; readonly parameters: Record<string, unknown>; readonly labels: string[] }
    | undefined {
    const labels = [...this.touched.keys()].sort();
    if (labels.length === 0) return undefined;
    const parameters: Record<string, unknown> = {};
    labels.forEach((label, i) => (parameters[`k${i}`] = [...this.touched.get(label)!.values()]));
    return { cypher: this.cypher.missing(labels), parameters, labels };
  }

  /**
   * The lookup, then the statements, in the caller's transaction. `pipeline: false` sends each statement
   * after the previous one is back (bench/neo4j-profile.ts times them one by one).
   */
  async write(
    run: RunStatement,
    options: { readonly pipeline: boolean } = { pipeline: true },
  ): Promise<void> {
    const existing = new Set<string>();
    const lookup = this.lookup;
    if (lookup !== undefined) {
      const result = await run(lookup.cypher, lookup.parameters);
      const missing = new Set(
        result.records.map((record) => nodeKeyId(lookup.labels[toNumber(record.get('l'))]!, record.get('k'))),
      );
      for (const keys of this.touched.values()) {
        for (const id of keys.keys()) if (!missing.has(id)) existing.add(id);
      }
    }
    // One statement per shape. They are sent together (the driver pipelines them on the connection: one
    // round trip instead of one per statement, measured below) and checked in order once they are back;
    // a failed check throws and the caller's transaction rolls back whatever ran after it. One query with
    // CALL subqueries instead was not faster and adds Eager barriers between them.
    const statements = this.statements(existing);
    const pending = options.pipeline
      ? statements.map((statement) => Promise.resolve(run(statement.cypher, { rows: statement.rows })))
      : [];
    // the rest fail with the first failure: nobody awaits them once it is thrown
    for (const result of pending) result.catch(() => undefined);
    for (const [i, statement] of statements.entries()) {
      const result = await (pending[i] ?? run(statement.cypher, { rows: statement.rows }));
      if (statement.overCap !== undefined && result.records.length > 0) {
        throw statement.overCap(toNumber(result.records[0]!.get(OVER_CAP_COLUMN)));
      }
      if (statement.matches !== undefined) {
        const matched = toNumber(result.records[0]?.get(MATCHED_COLUMN) ?? 0);
        if (matched !== statement.matches) {
          throw new GraphChangedUnderBatchError(statement.cypher, statement.matches, matched);
        }
      }
    }
  }

  /**
   * The statements in run order, given which looked-up nodes (ids, see nodeKeyId) exist before the batch.
   * Nodes of the looked-up labels are known to exist or not; the others are unknown until the batch
   * MERGEs them.
   */
  statements(existing: ReadonlySet<string>): GraphStatement[] {
    const state = new Map<string, boolean>();
    for (const keys of this.touched.values()) for (const id of keys.keys()) state.set(id, existing.has(id));
    const statements: GraphStatement[] = [];
    for (const segment of this.segments) this.segment(segment, state, statements);
    return statements;
  }

  /** Appends one segment's statements and moves `state` (true: exists, false: does not, absent: unknown) past it. */
  private segment(
    segment: readonly PreparedGroup[],
    state: Map<string, boolean>,
    out: GraphStatement[],
  ): void {
    const push = (cypher: string, rows: readonly unknown[], checked = false) => {
      if (rows.length > 0) out.push(checked ? { cypher, rows, matches: rows.length } : { cypher, rows });
    };
    const deleted = new Set<string>();
    for (const group of segment) {
      if (group.kind === 'deleteNode') for (const row of group.rows) deleted.add(row.id);
    }
    const created = new Set<string>();
    /** Ends nobody looked up: MERGEd by the statements below, so they exist after the segment. */
    const merged = new Set<string>();
    // 1. mergeNode: CREATE the new, MATCH + SET the existing; nodes deleted later in the segment are skipped.
    // (Every node of a label with mergeNode rows was looked up: its state is known.)
    const fresh = new Map<string, FreshNode>();
    const nodeGroups: { group: NodeGroup; fresh: NodeRow[]; known: unknown[] }[] = [];
    for (const group of segment) {
      if (group.kind !== 'mergeNode') continue;
      const rows: NodeRow[] = [];
      const known: unknown[] = [];
      for (const row of group.rows) {
        if (deleted.has(row.id)) continue;
        if (state.get(row.id) === true) known.push({ k: row.k, v: row.v });
        else {
          rows.push(row);
          fresh.set(row.id, { label: group.label, properties: group.properties, row });
          created.add(row.id);
        }
      }
      nodeGroups.push({ group, fresh: rows, known });
    }
    // 2. relationship ends known not to exist: CREATE placeholders; unknown ends of relationships the
    // segment skips (the other end is deleted in it): MERGE them, they must exist as one by one.
    const skipped =
      deleted.size === 0
        ? () => false
        : (row: RelationshipRow) => deleted.has(row.from.id) || deleted.has(row.to.id);
    const placeholders = new Map<string, NodeRow[]>();
    const ensured = new Map<string, NodeRow[]>();
    const add = (lists: Map<string, NodeRow[]>, end: NodeRow) => {
      const list = lists.get(end.label);
      if (list === undefined) lists.set(end.label, [end]);
      else list.push(end);
    };
    // Ends of the relationships the segment writes exist after it whatever their state (step 3 MERGEs
    // those nobody looked up): an end of a skipped one that is also one of these needs no MERGE of its own.
    // (The workload's cancelled orders' products: most are in other orders of the same batch.)
    const written = new Set<string>();
    for (const group of segment) {
      if (group.kind !== 'mergeRelationship') continue;
      for (const row of group.rows) {
        if (skipped(row)) continue;
        written.add(row.from.id);
        written.add(row.to.id);
      }
    }
    for (const group of segment) {
      if (group.kind !== 'mergeRelationship') continue;
      for (const row of group.rows) {
        for (const end of [row.from, row.to]) {
          if (deleted.has(end.id) || created.has(end.id) || merged.has(end.id)) continue;
          const known = state.get(end.id);
          if (known === false) {
            created.add(end.id);
            add(placeholders, end);
          } else if (known === undefined && skipped(row) && !written.has(end.id)) {
            merged.add(end.id);
            add(ensured, end);
          }
        }
      }
    }
    const unknown = (end: NodeRow) =>
      state.get(end.id) === undefined && !created.has(end.id) && !merged.has(end.id);
    // New nodes written with one of their relationships, after the plain creates and placeholders they
    // may point to, before the relationship statements that may find them.
    const fused = fuseCreates(segment, fresh, skipped, unknown);
    for (const { group, fresh: rows, known } of nodeGroups) {
      const plain = rows.filter((row) => !fused.nodes.has(row.id)).map((row) => ({ k: row.k, v: row.v }));
      push(this.cypher.createNodes(group.label, group.properties), plain);
      push(this.cypher.updateNodes(group.label, group.properties), known, true);
    }
    const byKey = (ends: NodeRow[]) => ends.sort((x, y) => compareKeys(x.sort, y.sort)).map((end) => end.k);
    for (const [label, ends] of placeholders) push(this.cypher.createPlaceholders(label), byKey(ends));
    for (const [label, ends] of ensured) push(this.cypher.ensureNodes(label), byKey(ends));
    for (const group of fused.groups) push(this.cypher.createNodesWithRelationships(group), group.rows, true);
    for (const id of fused.merged) merged.add(id);
    // 3. mergeRelationship: CREATE when an end is new in this segment, MERGE otherwise; ends MATCHed when
    // known to exist, MERGEd when unknown.
    for (const group of segment) {
      if (group.kind !== 'mergeRelationship') continue;
      // one statement per mode, in the order the modes first occur: variants[create * 4 + mergeFrom * 2 + mergeTo]
      const variants: { mode: RelationshipMode; rows: unknown[] }[] = [];
      const order: number[] = [];
      for (const row of group.rows) {
        if (skipped(row) || fused.rows.has(row)) continue;
        const create = created.has(row.from.id) || created.has(row.to.id);
        const mergeFrom = unknown(row.from);
        const mergeTo = unknown(row.to);
        const index = (create ? 4 : 0) + (mergeFrom ? 2 : 0) + (mergeTo ? 1 : 0);
        let variant = variants[index];
        if (variant === undefined) {
          variants[index] = variant = { mode: { create, mergeFrom, mergeTo }, rows: [] };
          order.push(index);
        }
        variant.rows.push({ a: row.from.k, b: row.to.k, v: row.v });
      }
      for (const index of order) {
        const { mode, rows } = variants[index]!;
        push(this.cypher.relationships(group.type, group.properties, mode), rows, true);
      }
      for (const row of group.rows) {
        for (const end of [row.from, row.to])
          if (!deleted.has(end.id) && !created.has(end.id)) merged.add(end.id);
      }
    }
    // 4. updateNodes: every node of the label holding the value, as the statements above left them.
    for (const group of segment) {
      if (group.kind !== 'updateNodes') continue;
      const rows = group.rows.map((row, i) => ({ i, w: row.w, m: group.max, v: row.v }));
      if (rows.length === 0) continue;
      out.push({
        cypher: this.cypher.updateByProperty(
          group.label,
          group.property,
          group.propertyType,
          group.properties,
        ),
        rows,
        overCap: (i) => this.overCap(group, group.rows[i]!),
      });
    }
    // 5. deletes, relationships first.
    for (const group of segment) {
      if (group.kind === 'deleteRelationship') {
        push(
          this.cypher.deleteRelationships(group.type),
          group.rows.map((row) => ({ a: row.from.k, b: row.to.k })),
        );
      }
    }
    for (const group of segment) {
      if (group.kind === 'deleteNode') {
        push(
          this.cypher.deleteNodes(group.label),
          group.rows.map((row) => ({ k: row.k })),
        );
      }
    }
    for (const id of [...created, ...merged]) state.set(id, true);
    for (const id of deleted) state.set(id, false);
  }
}
