/**
 * The one way a runner writes: operations and parking records with the checkpoint compare-and-set, in one
 * target commit. Only once a batch is stored does the runner's own state move: the checkpoint (in
 * RunnerStatus) and the keys held behind parked events (`blocked`).
 */
import type { LookupWrite } from '../../core/lookups';
import type { ViewOperation } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import type { ParkedEvent, ParkingResolution } from '../../stores/target.port';
import type { RunnerContext } from './runner-context';
import type { RunnerStatus } from './runner-status';

/** The commit found the checkpoint elsewhere: another runner moved it, or this one restarted stale. */
export class CheckpointMoved extends Error {
  constructor(readonly actual: bigint | undefined) {
    super(`checkpoint moved to ${String(actual)}`);
  }
}

/**
 * The commit was refused because a newer lease holder raised the generation's fence (issue #15): this
 * process lost the projection and must stop running it, not retry.
 */
export class CommitFenced extends Error {
  constructor(readonly fence: bigint) {
    super(`a newer lease holder (epoch ${fence}) fenced this generation`);
  }
}

export interface FoldedBatch {
  readonly operations: ViewOperation[];
  readonly park: ParkedEvent[];
  /** Lookup entries to write with the batch (plans with lookups). */
  readonly lookups?: LookupWrite[] | undefined;
}

/** A write behind the checkpoint, which does not move: a replay, a release or a discard. */
export interface InPlaceBatch {
  readonly operations: ViewOperation[];
  readonly park?: ParkedEvent[];
  readonly release?: bigint[];
  readonly resolve?: ParkingResolution[];
  readonly lookups?: LookupWrite[] | undefined;
}

export class BatchCommitter {
  /**
   * Keys with a parked or held event, as of the checkpoint: with sequenced parking, later events for them
   * are held. Set from the stored parking records, then by each commit.
   */
  blocked: Set<string> = new Set();

  constructor(
    private readonly context: RunnerContext,
    private readonly status: RunnerStatus,
  ) {}

  /** Commits `events` (folded into `batch`) from the checkpoint to `to`; `blocked` holds once stored. */
  async commit(
    batch: FoldedBatch,
    to: bigint,
    events: readonly StoredEvent[],
    blocked: Set<string>,
  ): Promise<void> {
    const { target, view, observer, logger } = this.context;
    const started = performance.now();
    const result = await target.commit(view, {
      operations: batch.operations,
      park: batch.park,
      ...(batch.lookups !== undefined && { lookups: batch.lookups }),
      checkpoint: { from: this.status.checkpoint, to },
      ...(this.context.fence !== undefined && { fence: this.context.fence }),
    });
    if (result.kind === 'checkpoint-mismatch') throw new CheckpointMoved(result.actual);
    if (result.kind === 'fenced') throw new CommitFenced(result.fence);
    observer?.batchCommitted({
      projection: view.projection,
      generation: view.generation,
      events: events.length,
      seconds: (performance.now() - started) / 1000,
      committed: events,
    });
    this.blocked = blocked;
    let parked = 0;
    for (const record of batch.park) {
      if (record.status !== 'parked') continue;
      parked += 1;
      // The correlation id leads from this line back to the command (and request) that wrote the event.
      const correlationId = record.event.metadata.correlationId;
      logger.warn(
        `${this.context.label()}: parked ${record.eventType} at ${record.position}` +
          `${correlationId !== undefined ? ` (correlation ${correlationId})` : ''}: ${record.reason}`,
        {
          projection: view.projection,
          generation: view.generation,
          position: record.position,
          eventType: record.eventType,
          ...(correlationId !== undefined ? { correlationId } : {}),
        },
      );
    }
    this.status.committed(to, events, parked, batch.park.length - parked);
  }

  /** Commits at the checkpoint without moving it (see InPlaceBatch). */
  async commitInPlace(batch: InPlaceBatch): Promise<void> {
    const checkpoint = this.status.checkpoint;
    const { lookups, ...rest } = batch;
    const result = await this.context.target.commit(this.context.view, {
      ...rest,
      ...(lookups !== undefined && { lookups }),
      checkpoint: { from: checkpoint, to: checkpoint },
      ...(this.context.fence !== undefined && { fence: this.context.fence }),
    });
    if (result.kind === 'checkpoint-mismatch') throw new CheckpointMoved(result.actual);
    if (result.kind === 'fenced') throw new CommitFenced(result.fence);
  }
}
