/**
 * The relational store's bookkeeping records (BookkeepingRecords, see ../bookkeeping/bookkeeping.port.ts):
 * rows of the tables in bookkeeping.tables.ts, read and written in the session's transaction, so a batch's
 * rows, parking records and checkpoint commit together.
 */
import { segmentCheckpointName } from '../bookkeeping/bookkeeping';
import type { JsonObject, JsonValue } from '../../core/json';
import { decodeStoredEvent, encodeStoredEvent } from '../../eventstore/stored-event-json';
import type {
  BookkeepingRecords,
  CheckpointClaim,
  NewGeneration,
  ParkingChanges,
  ProjectionChange,
  StoredCheckpoint,
  StoredGeneration,
  StoredGenerationStatus,
} from '../bookkeeping/bookkeeping.port';
import type { TargetShape } from '../../core/view-shape';
import type {
  CheckpointRange,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ViewRef,
} from '../target.port';
import {
  CHECKPOINTS_TABLE,
  GENERATIONS_TABLE,
  PARKED_TABLE,
  PROJECTIONS_TABLE,
  RESOLUTIONS_TABLE,
} from './bookkeeping.tables';
import type { RelationalDatabase, Session } from './relational-database';
import type { ParkedRow } from './relational-dialect';

export class RelationalRecords implements BookkeepingRecords<Session> {
  constructor(private readonly db: RelationalDatabase) {}

  private get dialect() {
    return this.db.dialect;
  }

  private t(name: string): string {
    return this.db.t(name);
  }

  transaction<T>(work: (session: Session) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  read<T>(work: (session: Session) => Promise<T>): Promise<T> {
    return this.db.session(work);
  }

  // Registry ---------------------------------------------------------------------------------------

  async readProjection(s: Session, name: string): Promise<ProjectionRecord | undefined> {
    const { rows } = await s.run({
      sql: `SELECT name, active_generation, paused FROM ${this.t(PROJECTIONS_TABLE)} WHERE name = $1`,
      params: [name],
    });
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      name: String(row.name),
      activeGeneration: row.active_generation === null ? null : Number(row.active_generation),
      paused: row.paused === true || row.paused === 1,
    };
  }

  async listProjections(s: Session): Promise<ProjectionRecord[]> {
    const { rows } = await s.run({
      sql: `SELECT name, active_generation, paused FROM ${this.t(PROJECTIONS_TABLE)}`,
      params: [],
    });
    return rows.map((row) => ({
      name: String(row.name),
      activeGeneration: row.active_generation === null ? null : Number(row.active_generation),
      paused: row.paused === true || row.paused === 1,
    }));
  }

  /** The view-name claims are the generation rows, which `drop` removes. */
  async deleteProjection(s: Session, name: string): Promise<void> {
    await s.run({ sql: `DELETE FROM ${this.t(PROJECTIONS_TABLE)} WHERE name = $1`, params: [name] });
  }

  async writeProjection(s: Session, name: string, change: ProjectionChange): Promise<void> {
    const updates = [
      ...(change.activeGeneration === undefined ? [] : ['active_generation = $2']),
      ...(change.paused === undefined ? [] : ['paused = $3']),
    ];
    await s.run({
      sql:
        `INSERT INTO ${this.t(PROJECTIONS_TABLE)} (name, active_generation, paused, updated_at) VALUES ($1, $2, $3, $4) ` +
        `ON CONFLICT (name) ${updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}, updated_at = $4`}`,
      params: [
        name,
        change.activeGeneration ?? null,
        change.paused ?? false,
        this.dialect.timeParam(new Date()),
      ],
    });
  }

  // Generations ------------------------------------------------------------------------------------

  async listGenerations(s: Session, projection: string): Promise<StoredGeneration[]> {
    const { rows } = await s.run({
      sql:
        `SELECT projection, generation, fingerprint, definition, shape, status, created_at ` +
        `FROM ${this.t(GENERATIONS_TABLE)} WHERE projection = $1 ORDER BY generation`,
      params: [projection],
    });
    return rows.map((row) => ({
      projection: String(row.projection),
      generation: Number(row.generation),
      fingerprint: String(row.fingerprint),
      definition: row.definition === null ? null : this.dialect.decodeJson(row.definition),
      shape: this.dialect.decodeJson(row.shape) as unknown as TargetShape,
      status: String(row.status) as StoredGenerationStatus,
      createdAt: this.dialect.decodeTime(row.created_at),
    }));
  }

  /** The claim is the generation rows' `view_name`: checked here, written by createGeneration. */
  async claimNames(s: Session, projection: string, names: readonly string[]) {
    for (const name of names) {
      const { rows } = await s.run({
        sql: `SELECT projection FROM ${this.t(GENERATIONS_TABLE)} WHERE view_name = $1 AND projection <> $2`,
        params: [name, projection],
      });
      const owner = rows[0];
      if (owner !== undefined) return { owner: String(owner.projection), names: [name] };
    }
    return undefined;
  }

  async createGeneration(s: Session, generation: NewGeneration): Promise<void> {
    await s.run({
      sql:
        `INSERT INTO ${this.t(GENERATIONS_TABLE)} (projection, generation, fingerprint, view_name, definition, shape, status, created_at) ` +
        `VALUES ($1, $2, $3, $7, $4, $5, 'building', $6) ON CONFLICT (projection, generation) DO NOTHING`,
      params: [
        generation.projection,
        generation.generation,
        generation.fingerprint,
        generation.definition === null ? null : this.dialect.jsonParam(generation.definition),
        this.dialect.jsonParam(generation.shape as unknown as JsonValue),
        this.dialect.timeParam(generation.createdAt),
        generation.names[0] ?? '',
      ],
    });
  }

  async setGenerationStatus(
    s: Session,
    projection: string,
    generation: number,
    status: StoredGenerationStatus,
  ): Promise<void> {
    await s.run({
      sql: `UPDATE ${this.t(GENERATIONS_TABLE)} SET status = $3 WHERE projection = $1 AND generation = $2`,
      params: [projection, generation, status],
    });
  }

  async deleteGeneration(s: Session, projection: string, generation: number): Promise<void> {
    await this.deleteOf(s, GENERATIONS_TABLE, { projection, generation });
  }

  // Checkpoints ------------------------------------------------------------------------------------

  async createCheckpoint(s: Session, view: ViewRef): Promise<void> {
    await s.run({
      sql:
        `INSERT INTO ${this.t(CHECKPOINTS_TABLE)} (projection, generation, position, updated_at) ` +
        `VALUES ($1, $2, $3, $4) ON CONFLICT (projection, generation) DO NOTHING`,
      params: [
        view.projection,
        view.generation,
        this.dialect.positionParam(0n),
        this.dialect.timeParam(new Date()),
      ],
    });
  }

  async readCheckpoint(s: Session, view: ViewRef, lock = false): Promise<StoredCheckpoint | undefined> {
    const { rows } = await s.run({
      sql:
        `SELECT position, fence FROM ${this.t(CHECKPOINTS_TABLE)} WHERE projection = $1 AND generation = $2` +
        (lock && this.dialect.forUpdate !== '' ? ` ${this.dialect.forUpdate}` : ''),
      params: [view.projection, view.generation],
    });
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      position: this.dialect.decodePosition(row.position),
      fence: this.dialect.decodePosition(row.fence),
    };
  }

  /**
   * The compare-and-set itself, first: it takes the row lock, so a second runner of the same generation
   * waits here and then finds the checkpoint moved (marten's UpdateProjectionProgress, in our own words),
   * and it returns the fence as it is under that lock (a new lease holder's fence committed while this
   * waited is the one returned). The transaction makes moving it before the view's writes safe: a fenced
   * commit rolls it back.
   */
  async claimCheckpoint(s: Session, view: ViewRef, range: CheckpointRange): Promise<CheckpointClaim> {
    const moved = await s.run({
      sql:
        `UPDATE ${this.t(CHECKPOINTS_TABLE)} SET position = $1, updated_at = $2 ` +
        `WHERE projection = $3 AND generation = $4 AND position = $5 RETURNING fence`,
      params: [
        this.dialect.positionParam(range.to),
        this.dialect.timeParam(new Date()),
        view.projection,
        view.generation,
        this.dialect.positionParam(range.from),
      ],
    });
    const claimed = moved.rows[0];
    if (claimed !== undefined) return { kind: 'claimed', fence: this.dialect.decodePosition(claimed.fence) };
    const stored = await this.readCheckpoint(s, view);
    return { kind: 'moved', actual: stored?.position, fence: stored?.fence };
  }

  /** The position was moved by the claim, in the same transaction; the fence is written when it rises. */
  async settleCheckpoint(
    s: Session,
    view: ViewRef,
    _range: CheckpointRange,
    claim: Extract<CheckpointClaim, { kind: 'claimed' }>,
    fence: bigint,
  ): Promise<CheckpointClaim> {
    if (fence === claim.fence) return claim;
    await s.run({
      sql: `UPDATE ${this.t(CHECKPOINTS_TABLE)} SET fence = $1 WHERE projection = $2 AND generation = $3`,
      params: [this.dialect.positionParam(fence), view.projection, view.generation],
    });
    return { ...claim, fence };
  }

  async deleteCheckpoint(s: Session, view: ViewRef): Promise<void> {
    await this.deleteOf(s, CHECKPOINTS_TABLE, view);
  }

  /** Segments 1.. (issue #15): every `name#k` checkpoint row of the generation (see bookkeeping.ts). */
  async deleteSegmentCheckpoints(s: Session, view: ViewRef): Promise<void> {
    const prefix = segmentCheckpointName(view.projection, 0).slice(0, -1);
    await s.run({
      sql:
        `DELETE FROM ${this.t(CHECKPOINTS_TABLE)} ` +
        `WHERE generation = $1 AND substr(projection, 1, ${prefix.length}) = $2`,
      params: [view.generation, prefix],
    });
  }

  // Parking ----------------------------------------------------------------------------------------

  async writeParking(s: Session, view: ViewRef, changes: ParkingChanges): Promise<void> {
    if (changes.park !== undefined && changes.park.length > 0) {
      await s.run(this.dialect.upsertParked(PARKED_TABLE, changes.park.map(parkedRow)));
    }
    if (changes.release !== undefined && changes.release.length > 0) {
      await s.run(this.dialect.deleteParked(PARKED_TABLE, view.projection, view.generation, changes.release));
    }
    for (const resolution of changes.resolve ?? []) {
      await s.run({
        sql:
          `INSERT INTO ${this.t(RESOLUTIONS_TABLE)} (projection, generation, position, action, checkpoint, resolved_at) ` +
          `VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (projection, generation, position) ` +
          `DO UPDATE SET action = $4, checkpoint = $5, resolved_at = $6`,
        params: [
          view.projection,
          view.generation,
          this.dialect.positionParam(resolution.position),
          resolution.action,
          this.dialect.positionParam(resolution.checkpoint),
          this.dialect.timeParam(resolution.resolvedAt),
        ],
      });
    }
  }

  async listParked(s: Session, view: ViewRef): Promise<ParkedEvent[]> {
    const { rows } = await s.run({
      sql:
        `SELECT projection, generation, position, stream_id, event_type, event, keys, reason, status, parked_at ` +
        `FROM ${this.t(PARKED_TABLE)} WHERE projection = $1 AND generation = $2 ORDER BY position`,
      params: [view.projection, view.generation],
    });
    return rows.map((row) => ({
      projection: String(row.projection),
      generation: Number(row.generation),
      position: this.dialect.decodePosition(row.position),
      streamId: String(row.stream_id),
      eventType: String(row.event_type),
      event: decodeStoredEvent(this.dialect.decodeJson(row.event) as JsonObject),
      keys: this.dialect.decodeJson(row.keys) as string[],
      reason: String(row.reason),
      status: String(row.status) as 'parked' | 'held',
      parkedAt: this.dialect.decodeTime(row.parked_at),
    }));
  }

  async listResolutions(s: Session, view: ViewRef): Promise<ParkingResolution[]> {
    const { rows } = await s.run({
      sql:
        `SELECT position, action, checkpoint, resolved_at FROM ${this.t(RESOLUTIONS_TABLE)} ` +
        `WHERE projection = $1 AND generation = $2`,
      params: [view.projection, view.generation],
    });
    return rows.map((row) => ({
      position: this.dialect.decodePosition(row.position),
      action: row.action === 'discarded' ? 'discarded' : 'replayed',
      checkpoint: this.dialect.decodePosition(row.checkpoint),
      resolvedAt: this.dialect.decodeTime(row.resolved_at),
    }));
  }

  async deleteParking(s: Session, view: ViewRef): Promise<void> {
    await this.deleteOf(s, PARKED_TABLE, view);
    await this.deleteOf(s, RESOLUTIONS_TABLE, view);
  }

  private async deleteOf(
    s: Session,
    table: string,
    of: { readonly projection: string; readonly generation: number },
  ): Promise<void> {
    await s.run({
      sql: `DELETE FROM ${this.t(table)} WHERE projection = $1 AND generation = $2`,
      params: [of.projection, of.generation],
    });
  }
}

function parkedRow(parked: ParkedEvent): ParkedRow {
  return {
    projection: parked.projection,
    generation: parked.generation,
    position: parked.position.toString(),
    stream_id: parked.streamId,
    event_type: parked.eventType,
    event: encodeStoredEvent(parked.event),
    keys: parked.keys,
    reason: parked.reason,
    status: parked.status,
    parked_at: parked.parkedAt.toISOString(),
  };
}
