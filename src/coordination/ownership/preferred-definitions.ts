/**
 * Which definition of a projection runs when nodes disagree (a rolling deploy, a rollback): the
 * PREFERRED fingerprint of a projection is the one loaded by the live worker-capable node (role `all` or
 * `worker`) that started LAST among those that have the projection; ties (same start time) go to the
 * smallest node id. A node may run a projection only when its own definition has that fingerprint.
 *
 * Why the newest node: a deploy starts new-version nodes after the old ones, so the new definition wins
 * as soon as one new node is up; the old nodes give their leases up and keep serving reads, and never
 * drop the new version's building generation (only the preferred definition's owner starts a
 * supervisor, and only a supervisor drops generations). A rollback is the same move the other way: the
 * old definition on freshly started nodes wins. Two versions never build side by side for long: the
 * loser stops at its next poll.
 */
import { runsProjections, type NodeRecord } from '../coordination.port';

/** Projection name -> the preferred fingerprint, over every projection some live worker loaded. */
export function preferredFingerprints(nodes: readonly NodeRecord[]): Map<string, string> {
  const chosen = new Map<string, NodeRecord>();
  for (const node of workers(nodes)) {
    for (const projection of Object.keys(node.definitions)) {
      const current = chosen.get(projection);
      if (current === undefined || newer(node, current)) chosen.set(projection, node);
    }
  }
  return new Map([...chosen].map(([projection, node]) => [projection, node.definitions[projection]!]));
}

/** The projections `definitions` may run: those whose fingerprint is the preferred one. */
export function runnableOf(
  definitions: Readonly<Record<string, string>>,
  preferred: ReadonlyMap<string, string>,
): Set<string> {
  return new Set(
    Object.entries(definitions)
      .filter(([projection, fingerprint]) => preferred.get(projection) === fingerprint)
      .map(([projection]) => projection),
  );
}

/** Live nodes that run projections (role `all` or `worker`). */
export function workers(nodes: readonly NodeRecord[]): NodeRecord[] {
  return nodes.filter((node) => node.alive && runsProjections(node.role));
}

function newer(a: NodeRecord, b: NodeRecord): boolean {
  const difference = a.startedAt.getTime() - b.startedAt.getTime();
  return difference !== 0 ? difference > 0 : a.id < b.id;
}
