/**
 * The events a runner set aside, as stored: which keys they hold back, and releasing them. A replay
 * re-applies a parked event, a discard drops it; either way the events held behind it are then released
 * in log order (one that fails is parked in turn, and the events behind it stay held). These run between
 * batches, on the runner's loop (see admin-request-queue.ts), so they never race a batch over the same keys.
 */
import type { ParkedEvent, ParkingResolution } from '../../stores/target.port';
import { errorMessage } from '../error-classifier';
import { ParkedEventNotFoundError } from '../runtime.errors';
import type { BatchCommitter } from './batch-commit';
import type { PoisonIsolation } from './poison-isolation';
import type { RunnerContext } from './runner-context';
import type { RunnerStatus } from './runner-status';

export type ParkedResolution =
  | { readonly kind: 'replayed'; readonly released: number }
  | { readonly kind: 'discarded'; readonly released: number }
  | { readonly kind: 'still-parked'; readonly reason: string };

export class ParkedEvents {
  constructor(
    private readonly context: RunnerContext,
    private readonly status: RunnerStatus,
    private readonly committer: BatchCommitter,
    private readonly poison: PoisonIsolation,
  ) {}

  list(): Promise<ParkedEvent[]> {
    return this.context.target.listParked(this.context.view);
  }

  /**
   * Reloads the parked/held records. After a crash in the middle of a release, a held event may wait
   * behind nothing: with `releaseOrphans`, those are released now, in log order.
   */
  async refresh(releaseOrphans: boolean): Promise<void> {
    const records = await this.list();
    const parked = records.filter((record) => record.status === 'parked').length;
    this.status.setParking(parked, records.length - parked);
    this.committer.blocked =
      this.context.plan.onPoison === 'sequenced'
        ? new Set(records.flatMap((record) => record.keys))
        : new Set<string>();
    if (releaseOrphans && records.some((record) => record.status === 'held')) {
      await this.releaseHeld();
    }
  }

  /** Replays or discards the parked event at `position`, then releases what it held. */
  async resolve(position: bigint, mode: 'replay' | 'discard'): Promise<ParkedResolution> {
    const records = await this.list();
    const record = records.find(
      (candidate) => candidate.position === position && candidate.status === 'parked',
    );
    if (record === undefined) throw new ParkedEventNotFoundError(this.context.view.projection, position);
    // Recorded with the release, at this checkpoint, so `verify` can redo it (issue #12).
    const resolution = (action: ParkingResolution['action']): ParkingResolution => ({
      position: record.position,
      action,
      checkpoint: this.status.checkpoint,
      resolvedAt: new Date(),
    });
    if (mode === 'replay') {
      const outcome = await this.applyReleased(record, resolution('replayed'));
      if (outcome !== undefined) {
        await this.refresh(false);
        return { kind: 'still-parked', reason: outcome };
      }
    } else {
      await this.committer.commitInPlace({
        operations: [],
        release: [record.position],
        resolve: [resolution('discarded')],
      });
    }
    const released = await this.releaseHeld();
    const correlationId = record.event.metadata.correlationId;
    const { view, logger } = this.context;
    logger.info(
      `${this.context.label()}: ${mode}ed the event at ${position}; released ${released} held event(s)`,
      {
        projection: view.projection,
        generation: view.generation,
        position,
        eventType: record.eventType,
        ...(correlationId !== undefined ? { correlationId } : {}),
      },
    );
    return { kind: mode === 'replay' ? 'replayed' : 'discarded', released };
  }

  /**
   * Releases held events, in log order, whose keys no longer wait behind a parked event. One that
   * fails is parked in turn, and the events behind it stay held. Returns how many were applied.
   */
  private async releaseHeld(): Promise<number> {
    const records = await this.list();
    const stillBlocked = new Set(records.filter((r) => r.status === 'parked').flatMap((r) => r.keys));
    let released = 0;
    for (const record of records) {
      if (record.status !== 'held') continue;
      if (record.keys.some((key) => stillBlocked.has(key))) {
        for (const key of record.keys) stillBlocked.add(key);
        continue;
      }
      const failure = await this.applyReleased(record);
      if (failure === undefined) released += 1;
      else for (const key of record.keys) stillBlocked.add(key);
    }
    await this.refresh(false);
    return released;
  }

  /**
   * Applies one parked or held event on its own, at the current checkpoint (which does not move: the
   * event is behind it). Returns why it failed (then it is recorded as parked), or undefined.
   */
  private async applyReleased(
    record: ParkedEvent,
    resolution?: ParkingResolution,
  ): Promise<string | undefined> {
    const keyed = await this.poison.keyed([record.event]);
    let reason: string | undefined;
    try {
      const fold = await this.poison.loadAndFold(keyed, new Set());
      const failed = fold.parked[0];
      if (failed === undefined) {
        await this.committer.commitInPlace({
          operations: fold.operations,
          lookups: fold.lookups,
          release: [record.position],
          ...(resolution !== undefined && { resolve: [resolution] }),
        });
        return undefined;
      }
      reason = failed.reason;
    } catch (error) {
      if (this.context.classify(error) !== 'poison') throw error;
      reason = errorMessage(error);
    }
    await this.committer.commitInPlace({
      operations: [],
      park: [{ ...record, reason, status: 'parked', parkedAt: new Date() }],
    });
    return reason;
  }
}
