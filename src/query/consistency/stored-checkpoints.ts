/**
 * Read-your-writes on a node that does not run the projection (issue #15: an api node, or a worker
 * standing by while another node holds the lease). Its runtime knows nothing of the view's progress; the
 * view store does: the registry's active generation (what readers see) and that generation's checkpoint,
 * which the owner advances in the same commit as the view's writes (or, without transactions, right after
 * them). So the gate reads those, and waits by polling them.
 *
 * A projection this node runs is answered by its runtime, as before (no I/O for a covered token).
 */
import type { CompiledProjection } from '../../core/plan';
import type { ProjectionRuntime } from '../../runtime/projection-runtime';
import { CheckpointTimeoutError } from '../../runtime/runtime.errors';
import { readSegmentedCheckpoint, segmentCount } from '../../runtime/segments';
import type { Target } from '../../stores/target.port';
import type { CheckpointSource, ReadProgress } from './consistency.gate';

export interface StoredCheckpointsHost {
  /** Whether this node runs the projection now (then its runtime answers). */
  runsLocally(name: string): boolean;
  plan(name: string): CompiledProjection | undefined;
  /** The connected target of a kind of view, undefined while not connected. */
  target(kind: string): Target | undefined;
}

/** How often a wait on a stored checkpoint reads it again. */
export const STORED_CHECKPOINT_POLL_MS = 50;

/** The gate's source: the runtime for projections run here, the view store's checkpoint for the others. */
export class RoutedCheckpoints implements CheckpointSource {
  constructor(
    private readonly runtime: ProjectionRuntime,
    private readonly host: StoredCheckpointsHost,
    private readonly pollMs = STORED_CHECKPOINT_POLL_MS,
  ) {}

  status(name: string) {
    return this.runtime.status(name);
  }

  async readProgress(name: string): Promise<ReadProgress | undefined> {
    if (this.host.runsLocally(name)) {
      try {
        const live = this.runtime.status(name).live;
        return live === null ? undefined : { generation: live.generation, checkpoint: live.checkpoint };
      } catch {
        return undefined;
      }
    }
    return this.stored(name);
  }

  async waitForCheckpoint(name: string, position: bigint, timeoutMs: number): Promise<void> {
    if (this.host.runsLocally(name)) return this.runtime.waitForCheckpoint(name, position, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Any generation: a swap in between hands readers one that applied at least as much.
      const progress = await this.stored(name);
      if (progress !== undefined && progress.checkpoint >= position) return;
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new CheckpointTimeoutError(name, position, progress?.checkpoint ?? 0n, timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, remaining)));
    }
  }

  /** The active generation and its stored checkpoint; undefined when there is none (yet). */
  private async stored(name: string): Promise<ReadProgress | undefined> {
    const plan = this.host.plan(name);
    const target = plan === undefined ? undefined : this.host.target(plan.target.kind);
    if (plan === undefined || target === undefined) return undefined;
    const generation = (await target.readProjection(name))?.activeGeneration ?? null;
    if (generation === null) return undefined;
    // Segmented (issue #15): the lowest of the segments' checkpoints.
    const view = { projection: name, generation, shape: plan.target };
    const checkpoint = await readSegmentedCheckpoint(target, view, segmentCount(plan));
    return checkpoint === undefined ? undefined : { generation, checkpoint };
  }
}
