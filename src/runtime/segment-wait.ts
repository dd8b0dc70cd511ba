/**
 * Read-your-writes on a segmented projection (issue #15): `position` is applied once every segment's
 * checkpoint of the generation readers see is at or past it. Segments this node runs are waited on through
 * their runners; the others (run by other nodes) by polling their stored checkpoints.
 */
import type { TargetShape } from '../core/view-shape';
import type { Target } from '../stores/target.port';
import { CheckpointTimeoutError } from './runtime.errors';
import { segmentView } from './segments';

/** How often a stored segment checkpoint is read again while waiting. */
const POLL_MS = 50;

interface LocalSegment {
  waitForCheckpoint(position: bigint, timeoutMs: number): Promise<void>;
}

/** `segments[k]`: the runner side of segment k on this node, undefined when another node runs it. */
export async function waitForSegments(
  segments: readonly (LocalSegment | undefined)[],
  target: Target,
  projection: string,
  shape: TargetShape,
  position: bigint,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    segments.map(async (local, segment) => {
      if (local !== undefined) return local.waitForCheckpoint(position, timeoutMs);
      for (;;) {
        const active = (await target.readProjection(projection))?.activeGeneration ?? null;
        const checkpoint =
          active === null
            ? undefined
            : await target.readCheckpoint(segmentView({ projection, generation: active, shape }, segment));
        // A segment the active generation does not have (built before it was segmented) has nothing to wait for.
        if (active !== null && (checkpoint === undefined ? segment > 0 : checkpoint >= position)) return;
        const remaining = deadline - Date.now();
        if (remaining <= 0)
          throw new CheckpointTimeoutError(`${projection}#${segment}`, position, checkpoint ?? 0n, timeoutMs);
        await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, remaining)));
      }
    }),
  );
}
