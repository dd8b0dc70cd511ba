/**
 * Rules every coordination store applies the same way (the contract checks them on each), kept in one
 * place so the stores cannot drift apart.
 */
import type { NodeAnnouncement } from './coordination.port';

/** Nodes dead, and admin requests finished, for longer than this are forgotten. */
export const PRUNE_AFTER_MS = 60 * 60 * 1000;

/**
 * Whether a heartbeat continues the node's previous announcement. A node's `startedAt` is kept while it
 * does and set anew when it does not (first announcement, after `removeNode` or pruning, or when the same
 * id comes back with another role, version or set of definitions): rolling deploys prefer the newest
 * node's definitions, and a node whose definitions changed is a new deploy. A node that only missed
 * heartbeats (a GC pause, SIGSTOP) keeps its start time, so an old-version process that wakes up does not
 * suddenly look newer than the deploy that replaced it.
 */
export function sameAnnouncement(previous: NodeAnnouncement, next: NodeAnnouncement): boolean {
  return (
    previous.role === next.role &&
    previous.version === next.version &&
    sameDefinitions(previous.definitions, next.definitions)
  );
}

function sameDefinitions(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
