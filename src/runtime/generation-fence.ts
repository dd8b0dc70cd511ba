/**
 * How a new lease holder takes a generation over (issue #15): before running it, it raises the
 * generation's stored fence to its lease epoch with an empty commit at the checkpoint (from = to, no
 * operations). From then on the target refuses every commit and swap of a former holder (lower epoch),
 * even one that was frozen mid-batch and wakes up later.
 */
import { CommitFenced } from './runner/batch-commit';
import type { ActivateOptions, Target, ViewRef } from '../stores/target.port';
import type { RuntimeLogger } from './runtime.logger';

/** A former holder that keeps moving the checkpoint is fenced out within a few attempts; this bounds a bug. */
const MAX_ATTEMPTS = 50;

export class GenerationFenceError extends Error {
  override readonly name = 'GenerationFenceError';
  constructor(
    readonly view: ViewRef,
    readonly attempts: number,
  ) {
    super(
      `Could not fence generation ${view.generation} of "${view.projection}": its checkpoint moved under ` +
        `each of ${attempts} attempts; the start is retried.`,
    );
  }
}

/**
 * Raises `view`'s fence to `fence`; retried while another writer moves the checkpoint meanwhile. Throws
 * CommitFenced when a newer holder fenced it first (this node lost the lease); does nothing for a
 * generation that is gone (its runner finds out).
 */
export async function fenceGeneration(target: Target, view: ViewRef, fence: bigint): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const checkpoint = await target.readCheckpoint(view);
    if (checkpoint === undefined) return;
    const result = await target.commit(view, {
      operations: [],
      checkpoint: { from: checkpoint, to: checkpoint },
      fence,
    });
    if (result.kind === 'committed') return;
    if (result.kind === 'fenced') throw new CommitFenced(result.fence);
    if (result.actual === undefined) return;
  }
  throw new GenerationFenceError(view, MAX_ATTEMPTS);
}

/**
 * One supervisor's lease (issue #15): fences its generations, adds the epoch to its swaps, and reports the
 * first fenced write. Without an epoch (one process, no leases) it does nothing.
 */
export class SupervisorFence {
  private reported = false;

  constructor(
    private readonly projection: string,
    private readonly target: Target,
    private readonly logger: RuntimeLogger,
    readonly epoch: bigint | undefined,
    private readonly onFenced: ((fence: bigint) => void) | undefined,
  ) {}

  /** Raises the generation's fence to the lease epoch before anything runs it. */
  async fence(view: ViewRef): Promise<void> {
    if (this.epoch !== undefined) await fenceGeneration(this.target, view, this.epoch);
  }

  /** What `activate` adds: the epoch, checked inside the swap. */
  activateOptions(): Pick<ActivateOptions, 'fence'> {
    return this.epoch !== undefined ? { fence: this.epoch } : {};
  }

  /** A commit, swap or start was fenced: a newer lease holder runs the projection now. Reported once. */
  lost(fence: bigint): void {
    if (this.reported) return;
    this.reported = true;
    this.logger.warn(
      `${this.projection}: a newer lease holder (epoch ${fence}) fenced it; ` +
        `this node (epoch ${String(this.epoch)}) stops running it`,
    );
    this.onFenced?.(fence);
  }
}
