/**
 * Which nodes a generation's graph holds, when this process has written all of them (issue #17).
 *
 * A graph batch otherwise reads, before it writes, which of the nodes it merges exist (the lookup, a
 * round trip inside every commit) and MERGEs the relationship ends it did not look up. A process that has
 * committed every batch of a generation since its first one (checkpoint 0: the generation's labels are
 * new and empty) knows every node in it: it answers the lookup itself, and every end is MATCHed or
 * CREATEd. That is a catch-up or rebuild from the start of the log, where the batches are big and many.
 *
 * The knowledge is good for the commit whose `from` is the position this process last committed: any
 * other writer of the generation (a lease taken over, a second runner) moves the checkpoint, so the next
 * commit of this process sees a `from` it did not commit, or is refused, and the knowledge is dropped.
 * Wrong knowledge anyway only fails a transaction, it never writes a wrong graph (see GraphBatch.write):
 * the target then drops it and commits the same batch again with the lookup.
 *
 * A view's knowledge is taken out of the map for the length of its commit, so two commits of one view at
 * once cannot both use it. The ids of all views together are capped at `limit` (they cost about 100
 * bytes a node, see the Neo4j README): a view whose commit would pass it loses its knowledge for good,
 * and its next commits read the lookup as before.
 */
import type { ViewRef } from '../target.port';

/** Default of Neo4jTargetOptions.knownNodesLimit: ~30 MB of heap at most. */
export const DEFAULT_KNOWN_NODES_LIMIT = 300_000;

interface Knowledge {
  /** The checkpoint after this process's last commit of the view. */
  readonly at: bigint;
  readonly ids: Set<string>;
}

/** The ids (see nodeKeyId) of every node of one view, at the checkpoint its commit starts from. */
export interface KnownNodesTicket {
  readonly ids: ReadonlySet<string>;
}

export class GraphKnownNodes {
  private readonly views = new Map<string, Knowledge>();

  constructor(private readonly limit = DEFAULT_KNOWN_NODES_LIMIT) {}

  /**
   * The view's nodes for a commit from `from`, taken until `kept` or `dropped`; undefined when this
   * process does not know them. A commit from 0 of an unsegmented view starts knowing the graph is empty.
   */
  take(view: ViewRef, from: bigint): KnownNodesTicket | undefined {
    if (this.limit <= 0) return undefined;
    const key = viewKey(view);
    const knowledge = this.views.get(key);
    this.views.delete(key);
    if (knowledge !== undefined && knowledge.at === from) return { ids: knowledge.ids };
    // Graph views are never segmented (src/runtime/segments.ts); a segment's checkpoint 0 says nothing
    // about the graph the other segments share.
    if (from === 0n && (view.segment ?? 0) === 0) return { ids: new Set() };
    return undefined;
  }

  /**
   * After a commit: `after` is the state of the nodes the batch touched (true: exists, false: does not)
   * and `to` the checkpoint it committed. Without `after` (the transaction rolled back) the knowledge is
   * still that of `to`, the same `from`.
   */
  keep(view: ViewRef, ticket: KnownNodesTicket, to: bigint, after?: ReadonlyMap<string, boolean>): void {
    const ids = ticket.ids as Set<string>;
    if (after !== undefined) {
      for (const [id, exists] of after) {
        if (exists) ids.add(id);
        else ids.delete(id);
      }
    }
    let total = ids.size;
    for (const other of this.views.values()) total += other.ids.size;
    if (total > this.limit) return;
    this.views.set(viewKey(view), { at: to, ids });
  }

  /** Forgets a projection's generations (all of them without `generation`): dropped, their memory freed. */
  forget(projection: string, generation?: number): void {
    const prefix = `${projection}\u0000${generation === undefined ? '' : `${generation}\u0000`}`;
    for (const key of [...this.views.keys()]) if (key.startsWith(prefix)) this.views.delete(key);
  }
}

function viewKey(view: ViewRef): string {
  return `${view.projection}\u0000${view.generation}\u0000${view.segment ?? 0}`;
}
