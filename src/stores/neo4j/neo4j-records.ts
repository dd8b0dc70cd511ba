/**
 * The Neo4j store's bookkeeping records (BookkeepingRecords, see ../bookkeeping/bookkeeping.port.ts):
 * nodes with reserved labels (neo4j-bookkeeping.ts), read and written in the session's transaction, so a
 * batch's graph writes, parking records and checkpoint commit in ONE Neo4j transaction.
 */
import neo4j, { type Driver, type ManagedTransaction, type Session } from 'neo4j-driver';
import type { JsonObject, JsonValue } from '../../core/json';
import type { TargetShape } from '../../core/view-shape';
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
import { returningRollback } from '../bookkeeping/rollback';
import type {
  CheckpointRange,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ViewRef,
} from '../target.port';
import {
  generationId,
  parkedId,
  positionParam,
  resolutionId,
  toBigInt,
  toNumber,
  type BookkeepingLabels,
} from './neo4j-bookkeeping';
import { quoted } from './neo4j-names';

type Tx = ManagedTransaction;

/** See Neo4jTargetOptions.transactionTimeoutMs. */
export const DEFAULT_WRITE_TIMEOUT_MS = 60_000;

/** Sessions of one database, for the records, the storage and the target's own reads. */
export class Neo4jSessions {
  constructor(
    readonly driver: Driver,
    private readonly database: string | undefined,
    /**
     * The server-side time limit of each write transaction (Neo4jTargetOptions.transactionTimeoutMs): the
     * server terminates a transaction open longer, which releases its locks even when its process is frozen.
     */
    private readonly writeTimeoutMs: number = DEFAULT_WRITE_TIMEOUT_MS,
  ) {}

  async read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const session = this.session('READ');
    try {
      return await session.executeRead(work);
    } finally {
      await session.close();
    }
  }

  /** A managed write transaction (the driver retries transient errors); a Rollback returns its value. */
  async write<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const session = this.session('WRITE');
    try {
      return await returningRollback(() => session.executeWrite(work, { timeout: this.writeTimeoutMs }));
    } finally {
      await session.close();
    }
  }

  private session(mode: 'READ' | 'WRITE'): Session {
    return this.driver.session({
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(this.database === undefined ? {} : { database: this.database }),
    });
  }
}

export class Neo4jRecords implements BookkeepingRecords<Tx> {
  constructor(
    private readonly sessions: Neo4jSessions,
    private readonly labels: BookkeepingLabels,
  ) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.sessions.write(work);
  }

  read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.sessions.read(work);
  }

  // Registry ---------------------------------------------------------------------------------------

  async readProjection(tx: Tx, name: string): Promise<ProjectionRecord | undefined> {
    const result = await tx.run(
      `MATCH (p:${this.l('projection')} {name: $name}) RETURN p.activeGeneration AS active, p.paused AS paused`,
      { name },
    );
    const record = result.records[0];
    if (record === undefined) return undefined;
    const active = record.get('active') as unknown;
    return {
      name,
      activeGeneration: active === null || active === undefined ? null : toNumber(active),
      paused: record.get('paused') === true,
    };
  }

  async listProjections(tx: Tx): Promise<ProjectionRecord[]> {
    const result = await tx.run(
      `MATCH (p:${this.l('projection')}) RETURN p.name AS name, p.activeGeneration AS active, p.paused AS paused`,
    );
    return result.records.map((record) => {
      const active = record.get('active') as unknown;
      return {
        name: String(record.get('name')),
        activeGeneration: active === null || active === undefined ? null : toNumber(active),
        paused: record.get('paused') === true,
      };
    });
  }

  /** The namespace claims are the generation records, which `drop` removes. */
  async deleteProjection(tx: Tx, name: string): Promise<void> {
    await tx.run(`MATCH (p:${this.l('projection')} {name: $name}) DETACH DELETE p`, { name });
  }

  async writeProjection(tx: Tx, name: string, change: ProjectionChange): Promise<void> {
    const fields: Record<string, unknown> = {
      ...(change.activeGeneration === undefined
        ? {}
        : { activeGeneration: change.activeGeneration === null ? null : neo4j.int(change.activeGeneration) }),
      ...(change.paused === undefined ? {} : { paused: change.paused }),
    };
    await tx.run(
      `MERGE (p:${this.l('projection')} {name: $name}) ON CREATE SET p.activeGeneration = null, p.paused = false ` +
        `SET p += $fields`,
      { name, fields },
    );
  }

  // Generations ------------------------------------------------------------------------------------

  async listGenerations(tx: Tx, projection: string): Promise<StoredGeneration[]> {
    const result = await tx.run(`MATCH (g:${this.l('generation')} {projection: $projection}) RETURN g`, {
      projection,
    });
    return result.records.map((record) => {
      const g = (record.get('g') as { properties: Record<string, unknown> }).properties;
      return {
        projection: String(g.projection),
        generation: toNumber(g.generation),
        fingerprint: String(g.fingerprint),
        definition:
          g.definition === null || g.definition === undefined
            ? null
            : (JSON.parse(g.definition as string) as JsonValue),
        shape: JSON.parse(String(g.shape)) as TargetShape,
        status: String(g.status) as StoredGenerationStatus,
        createdAt: new Date(String(g.createdAt)),
      };
    });
  }

  /** The claim is the generation nodes' `names`: checked here, written by createGeneration. */
  async claimNames(tx: Tx, projection: string, names: readonly string[]) {
    const claimed = await tx.run(
      `MATCH (g:${this.l('generation')}) WHERE g.projection <> $projection AND any(name IN g.names WHERE name IN $names) ` +
        `RETURN g.projection AS owner, [name IN g.names WHERE name IN $names] AS shared LIMIT 1`,
      { projection, names: [...names] },
    );
    const owner = claimed.records[0];
    if (owner === undefined) return undefined;
    return { owner: String(owner.get('owner')), names: owner.get('shared') as string[] };
  }

  async createGeneration(tx: Tx, generation: NewGeneration): Promise<void> {
    await tx.run(
      `MERGE (g:${this.l('generation')} {id: $id}) ON CREATE SET g.projection = $projection, g.generation = $generation, ` +
        `g.fingerprint = $fingerprint, g.definition = $definition, g.shape = $shape, g.status = 'building', ` +
        `g.createdAt = $now, g.names = $names`,
      {
        id: generationId(generation.projection, generation.generation),
        projection: generation.projection,
        generation: neo4j.int(generation.generation),
        fingerprint: generation.fingerprint,
        definition: generation.definition === null ? null : JSON.stringify(generation.definition),
        shape: JSON.stringify(generation.shape),
        now: generation.createdAt.toISOString(),
        names: [...generation.names],
      },
    );
  }

  async setGenerationStatus(
    tx: Tx,
    projection: string,
    generation: number,
    status: StoredGenerationStatus,
  ): Promise<void> {
    await tx.run(`MATCH (g:${this.l('generation')} {id: $id}) SET g.status = $status`, {
      id: generationId(projection, generation),
      status,
    });
  }

  async deleteGeneration(tx: Tx, projection: string, generation: number): Promise<void> {
    await tx.run(`MATCH (g:${this.l('generation')} {id: $id}) DETACH DELETE g`, {
      id: generationId(projection, generation),
    });
  }

  // Checkpoints ------------------------------------------------------------------------------------

  async createCheckpoint(tx: Tx, view: ViewRef): Promise<void> {
    await tx.run(
      `MERGE (c:${this.l('checkpoint')} {id: $id}) ON CREATE SET c.projection = $projection, ` +
        `c.generation = $generation, c.position = $zero, c.fence = $zero, c.updatedAt = $now`,
      {
        id: generationId(view.projection, view.generation),
        projection: view.projection,
        generation: neo4j.int(view.generation),
        zero: positionParam(0n),
        now: new Date().toISOString(),
      },
    );
  }

  /**
   * With `lock`, writing the checkpoint node first takes its write lock and the position and fence are
   * read under it: Neo4j reads committed data and does not re-check a WHERE evaluated before a lock wait,
   * so this is what keeps two runners (or a runner and a swap, or a stale writer and the new lease
   * holder's fence) from both passing a compare. A node written before fences existed has fence 0.
   */
  async readCheckpoint(tx: Tx, view: ViewRef, lock = false): Promise<StoredCheckpoint | undefined> {
    const result = await tx.run(
      `MATCH (c:${this.l('checkpoint')} {id: $id}) ${lock ? 'SET c.updatedAt = $now ' : ''}` +
        `RETURN c.position AS position, coalesce(c.fence, 0) AS fence`,
      { id: generationId(view.projection, view.generation), now: new Date().toISOString() },
    );
    const record = result.records[0];
    if (record === undefined) return undefined;
    return { position: toBigInt(record.get('position')), fence: toBigInt(record.get('fence')) };
  }

  async claimCheckpoint(tx: Tx, view: ViewRef, range: CheckpointRange): Promise<CheckpointClaim> {
    const stored = await this.readCheckpoint(tx, view, true);
    return stored?.position === range.from
      ? { kind: 'claimed', fence: stored.fence }
      : { kind: 'moved', actual: stored?.position, fence: stored?.fence };
  }

  async settleCheckpoint(
    tx: Tx,
    view: ViewRef,
    range: CheckpointRange,
    claim: Extract<CheckpointClaim, { kind: 'claimed' }>,
    fence: bigint,
  ): Promise<CheckpointClaim> {
    await tx.run(`MATCH (c:${this.l('checkpoint')} {id: $id}) SET c.position = $to, c.fence = $fence`, {
      id: generationId(view.projection, view.generation),
      to: positionParam(range.to),
      fence: positionParam(fence),
    });
    return { ...claim, fence };
  }

  async deleteCheckpoint(tx: Tx, view: ViewRef): Promise<void> {
    await tx.run(`MATCH (c:${this.l('checkpoint')} {id: $id}) DETACH DELETE c`, {
      id: generationId(view.projection, view.generation),
    });
  }

  // Parking ----------------------------------------------------------------------------------------

  async writeParking(tx: Tx, view: ViewRef, changes: ParkingChanges): Promise<void> {
    const merge = `UNWIND $rows AS row MERGE (p:${this.l('parked')} {id: row.id}) SET p += row.properties`;
    if (changes.park !== undefined && changes.park.length > 0) {
      await tx.run(merge, {
        rows: changes.park.map((parked) => ({
          id: parkedId(parked.projection, parked.generation, parked.position),
          properties: parkedProperties(parked),
        })),
      });
    }
    if (changes.release !== undefined && changes.release.length > 0) {
      await tx.run(`UNWIND $ids AS id MATCH (p:${this.l('parked')} {id: id}) DELETE p`, {
        ids: changes.release.map((position) => parkedId(view.projection, view.generation, position)),
      });
    }
    if (changes.resolve !== undefined && changes.resolve.length > 0) {
      // Kept beside the parked records (same label, own id, a `resolution` property), so whatever
      // removes a generation's parking records removes these too.
      await tx.run(merge, {
        rows: changes.resolve.map((resolution) => ({
          id: resolutionId(view.projection, view.generation, resolution.position),
          properties: {
            projection: view.projection,
            generation: neo4j.int(view.generation),
            position: positionParam(resolution.position),
            resolution: resolution.action,
            checkpoint: positionParam(resolution.checkpoint),
            resolvedAt: resolution.resolvedAt.toISOString(),
          },
        })),
      });
    }
  }

  async listParked(tx: Tx, view: ViewRef): Promise<ParkedEvent[]> {
    const result = await tx.run(
      `MATCH (p:${this.l('parked')} {projection: $projection, generation: $generation}) ` +
        `WHERE p.resolution IS NULL RETURN p`,
      { projection: view.projection, generation: neo4j.int(view.generation) },
    );
    return result.records.map((record) => {
      const p = (record.get('p') as { properties: Record<string, unknown> }).properties;
      return {
        projection: String(p.projection),
        generation: toNumber(p.generation),
        position: toBigInt(p.position),
        streamId: String(p.streamId),
        eventType: String(p.eventType),
        event: decodeStoredEvent(JSON.parse(String(p.event)) as JsonObject),
        keys: (p.keys as string[] | null) ?? [],
        reason: String(p.reason),
        status: String(p.status) as 'parked' | 'held',
        parkedAt: new Date(String(p.parkedAt)),
      };
    });
  }

  async listResolutions(tx: Tx, view: ViewRef): Promise<ParkingResolution[]> {
    const result = await tx.run(
      `MATCH (p:${this.l('parked')} {projection: $projection, generation: $generation}) ` +
        `WHERE p.resolution IS NOT NULL RETURN p.position AS position, p.resolution AS action, ` +
        `p.checkpoint AS checkpoint, p.resolvedAt AS resolvedAt`,
      { projection: view.projection, generation: neo4j.int(view.generation) },
    );
    return result.records.map((record): ParkingResolution => ({
      position: toBigInt(record.get('position')),
      action: record.get('action') === 'discarded' ? 'discarded' : 'replayed',
      checkpoint: toBigInt(record.get('checkpoint')),
      resolvedAt: new Date(String(record.get('resolvedAt'))),
    }));
  }

  async deleteParking(tx: Tx, view: ViewRef): Promise<void> {
    await tx.run(
      `MATCH (p:${this.l('parked')} {projection: $projection, generation: $generation}) DETACH DELETE p`,
      { projection: view.projection, generation: neo4j.int(view.generation) },
    );
  }

  private l(kind: 'projection' | 'generation' | 'checkpoint' | 'parked'): string {
    return quoted('bookkeeping label', this.labels[kind]);
  }
}

function parkedProperties(parked: ParkedEvent): Record<string, unknown> {
  return {
    projection: parked.projection,
    generation: neo4j.int(parked.generation),
    position: positionParam(parked.position),
    streamId: parked.streamId,
    eventType: parked.eventType,
    event: JSON.stringify(encodeStoredEvent(parked.event)),
    keys: [...parked.keys],
    reason: parked.reason,
    status: parked.status,
    parkedAt: parked.parkedAt.toISOString(),
  };
}
