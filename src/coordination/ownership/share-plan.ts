/**
 * What one node does at a poll: which free or lapsed leases it tries to take and which of its leases it
 * gives up. A pure function of what the coordination store listed, so every node reasons the same way.
 *
 *  - A node may run only the projections whose preferred definition it loaded (preferred-definitions.ts);
 *    it gives up every other lease at once (a newer definition appeared elsewhere).
 *  - Fair share: with R the projections some live worker may run and W the live workers that may run at
 *    least one of them, a node holds at most ceil(|R| / |W|) leases. It takes free leases while below
 *    that, and above it gives up ONE lease per poll (the runtime stops that supervisor first), so the
 *    others take them and the first node up does not keep everything.
 *  - Nobody starves: a node takes a free lease beyond its share when no other live worker that may run
 *    that projection is below its share (nobody else would take it), and it gives a lease up only to a
 *    node below its share that may run it. So a lease given up is not taken back at the next poll, and
 *    a projection only one node may run is always run.
 */
import type { LeaseRecord, NodeRecord } from '../coordination.port';
import { preferredFingerprints, runnableOf, workers } from './preferred-definitions';

export interface ShareInput {
  /** This node's id. */
  readonly self: string;
  /** Every announced node, as listed (this node's own announcement included). */
  readonly nodes: readonly NodeRecord[];
  /** Every lease, as listed. */
  readonly leases: readonly LeaseRecord[];
  /** The leases this node holds and keeps running (its own count; leases being given up excluded). */
  readonly held: ReadonlySet<string>;
  /** What this node loaded and could run: projection -> fingerprint. */
  readonly definitions: Readonly<Record<string, string>>;
}

export interface SharePlan {
  /** The projections this node may run (preferred definition loaded). */
  readonly runnable: ReadonlySet<string>;
  /** At most this many leases per node. */
  readonly share: number;
  /** Leases to try to take, in this order. */
  readonly acquire: readonly string[];
  /** Leases to give up now. */
  readonly release: readonly string[];
}

const NOTHING: SharePlan = { runnable: new Set(), share: 0, acquire: [], release: [] };

export function planShare(input: ShareInput): SharePlan {
  const live = workers(input.nodes);
  // Until this node's own announcement is listed as alive, it knows too little to act (and must not
  // give anything up because it misses itself).
  if (!live.some((node) => node.id === input.self)) return NOTHING;
  const preferred = preferredFingerprints(live);
  const runnable = runnableOf(input.definitions, preferred);
  const eligible = new Map<string, Set<string>>();
  for (const node of live) {
    const mine = node.id === input.self ? runnable : runnableOf(node.definitions, preferred);
    if (mine.size > 0) eligible.set(node.id, mine);
  }
  const everything = new Set([...eligible.values()].flatMap((set) => [...set]));
  const share = eligible.size === 0 ? 0 : Math.ceil(everything.size / eligible.size);

  const now = new Map(input.leases.filter((lease) => !lease.expired).map((l) => [l.resource, l]));
  const counts = new Map<string, number>();
  for (const lease of now.values()) counts.set(lease.holder, (counts.get(lease.holder) ?? 0) + 1);
  counts.set(input.self, input.held.size);
  /** Whether a node other than this one, below its share, may run `projection`. */
  const someoneElseWouldTake = (projection: string): boolean =>
    [...eligible].some(
      ([id, set]) => id !== input.self && set.has(projection) && (counts.get(id) ?? 0) < share,
    );

  const release = [...input.held].filter((projection) => !runnable.has(projection)).sort();
  let holding = input.held.size - release.length;
  if (holding > share) {
    const extra = [...input.held]
      .filter((projection) => runnable.has(projection) && someoneElseWouldTake(projection))
      .sort((a, b) => spread(input.self, b) - spread(input.self, a))[0];
    if (extra !== undefined) {
      release.push(extra);
      holding -= 1;
    }
  }

  const acquire: string[] = [];
  const free = [...runnable]
    .filter((projection) => !input.held.has(projection))
    .filter((projection) => {
      const lease = now.get(projection);
      // A lease this node holds in the store but not locally (lost at its deadline, or a restart with
      // the same id) is taken again: the store lets its holder re-acquire, with a new epoch.
      return lease === undefined || lease.holder === input.self;
    })
    .sort((a, b) => spread(input.self, a) - spread(input.self, b));
  for (const projection of free) {
    if (holding < share || !someoneElseWouldTake(projection)) {
      acquire.push(projection);
      holding += 1;
    }
  }
  return { runnable, share, acquire, release };
}

/**
 * A per-node order of projections, so that nodes starting together try different leases first (each
 * lease still goes to exactly one of them; this only saves lost races).
 */
function spread(node: string, projection: string): number {
  let hash = 2166136261;
  for (const char of `${node}\u0000${projection}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}
