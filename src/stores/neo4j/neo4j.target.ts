/**
 * The Neo4j target: graph views as namespaced labels and relationship types in one Neo4j database
 * (Community edition has only one). See README.md in this folder for the design and its limits.
 *
 * - A generation is a label namespace (`Customer__purchase_graph_g2`, see neo4j-names.ts); `prepare`
 *   creates a uniqueness constraint on each node label's key.
 * - `commit` is ONE write transaction: checkpoint compare-and-set first (it takes the checkpoint node's
 *   write lock, so a second runner of the same generation waits and then sees the moved checkpoint),
 *   then the batch as a few `UNWIND $rows` statements (graph-batch.ts), then the parking records.
 * - `activate` flips the registry's active generation in one transaction; named queries resolve the
 *   active generation's labels at query time (src/stores/neo4j/query), so readers switch with the registry.
 */
import { neo4jStore } from './neo4j.store';
import neo4j, { type Driver, type ManagedTransaction, type Session } from 'neo4j-driver';
import type { JsonObject, JsonValue } from '../../core/json';
import type { DocumentKey, ViewDocument } from '../../core/plan';
import type { TargetShape } from '../../core/view-shape';
import type {
  ActivateResult,
  CommitBatch,
  CommitResult,
  GenerationRecord,
  GenerationSpec,
  GenerationStatus,
  LoadedDocument,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ScannedDocument,
  ScanOptions,
  Target,
  ViewRef,
} from '../target.port';
import { GraphStatementBuilder } from './graph-batch';
import {
  bookkeepingConstraints,
  bookkeepingLabels,
  generationId,
  parkedId,
  positionParam,
  resolutionId,
  toBigInt,
  toNumber,
  type BookkeepingLabels,
} from './neo4j-bookkeeping';
import { GraphNamespaceClaimedError } from './neo4j.errors';
import { graphShape, keyConstraintName, physicalName, physicalNames, quoted } from './neo4j-names';
import { scanGraph } from './neo4j-scan';
import { classifyNeo4jError } from './neo4j-error-classifier';
import { decodeStoredEvent, encodeStoredEvent } from '../../eventstore/stored-event-json';
import { ActiveGenerationDropError, UnknownGenerationError } from '../target.errors';
import { createNeo4jDriver, type Neo4jConnection } from './neo4j-connection';
import { compareResolutions } from '../parking-resolution';
import { dropWholeProjection, type ProjectionDrop, type ProjectionDropOptions } from '../projection-drop';

export interface Neo4jTargetOptions {
  /** Database name; default: the server's default database (`neo4j`). */
  readonly database?: string;
  /** Label prefix of the bookkeeping records; default `Prism`. */
  readonly bookkeepingPrefix?: string;
  /** Nodes deleted per transaction by `drop`. Default 10,000. */
  readonly dropBatchSize?: number;
  /** How long the driver retries a transaction on transient errors before giving up. Default 5 s. */
  readonly maxRetryMs?: number;
}

export interface Neo4jTargetConfig extends Neo4jTargetOptions, Neo4jConnection {}

/** Thrown inside a transaction function to roll it back and still return a typed result. */
class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back on purpose');
  }
}

export class Neo4jTarget implements Target {
  readonly kind = 'neo4j';
  readonly capabilities = neo4jStore.capabilities;
  readonly labels: BookkeepingLabels;
  private readonly builders = new Map<string, GraphStatementBuilder>();

  constructor(
    readonly driver: Driver,
    private readonly options: Neo4jTargetOptions = {},
    private readonly ownsDriver = false,
  ) {
    this.labels = bookkeepingLabels(options.bookkeepingPrefix);
  }

  /** Opens a driver of its own and creates the bookkeeping constraints. */
  static async connect(config: Neo4jTargetConfig): Promise<Neo4jTarget> {
    const driver = createNeo4jDriver(config, { maxTransactionRetryTime: config.maxRetryMs ?? 5_000 });
    const target = new Neo4jTarget(driver, config, true);
    try {
      await target.initialize();
    } catch (error) {
      await driver.close();
      throw error;
    }
    return target;
  }

  async initialize(): Promise<void> {
    // Schema statements cannot share a transaction with data writes; each is idempotent.
    for (const statement of bookkeepingConstraints(this.labels)) await this.write((tx) => tx.run(statement));
  }

  // Registry ---------------------------------------------------------------------------------------

  async readProjection(name: string): Promise<ProjectionRecord | undefined> {
    const records = await this.read((tx) =>
      tx.run(
        `MATCH (p:${this.l('projection')} {name: $name}) RETURN p.activeGeneration AS active, p.paused AS paused`,
        {
          name,
        },
      ),
    );
    const record = records.records[0];
    if (record === undefined) return undefined;
    const active = record.get('active') as unknown;
    return {
      name,
      activeGeneration: active === null || active === undefined ? null : toNumber(active),
      paused: record.get('paused') === true,
    };
  }

  async listGenerations(projection: string): Promise<GenerationRecord[]> {
    const result = await this.read((tx) =>
      tx.run(`MATCH (g:${this.l('generation')} {projection: $projection}) RETURN g ORDER BY g.generation`, {
        projection,
      }),
    );
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
        // an interrupted drop leaves `dropping`: report it retired, so the supervisor drops it again
        status: (g.status === 'dropping' ? 'retired' : String(g.status)) as GenerationStatus,
        createdAt: new Date(String(g.createdAt)),
      };
    });
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    await this.write((tx) =>
      tx.run(
        `MERGE (p:${this.l('projection')} {name: $name}) ON CREATE SET p.activeGeneration = null SET p.paused = $paused`,
        { name, paused },
      ),
    );
  }

  // Generations ------------------------------------------------------------------------------------

  async prepare(spec: GenerationSpec): Promise<void> {
    const shape = graphShape(spec.projection, spec.shape);
    const names = physicalNames(shape, spec.projection, spec.generation);
    await this.write(async (tx) => {
      const claimed = await tx.run(
        `MATCH (g:${this.l('generation')}) WHERE g.projection <> $projection AND any(name IN g.names WHERE name IN $names) ` +
          `RETURN g.projection AS owner, [name IN g.names WHERE name IN $names] AS shared LIMIT 1`,
        { projection: spec.projection, names },
      );
      const owner = claimed.records[0];
      if (owner !== undefined) {
        throw new GraphNamespaceClaimedError(
          spec.projection,
          String(owner.get('owner')),
          owner.get('shared') as string[],
        );
      }
      const id = generationId(spec.projection, spec.generation);
      await tx.run(
        `MERGE (p:${this.l('projection')} {name: $projection}) ON CREATE SET p.activeGeneration = null, p.paused = false ` +
          `MERGE (g:${this.l('generation')} {id: $id}) ON CREATE SET g.projection = $projection, g.generation = $generation, ` +
          `g.fingerprint = $fingerprint, g.definition = $definition, g.shape = $shape, g.status = 'building', ` +
          `g.createdAt = $now, g.names = $names ` +
          `MERGE (c:${this.l('checkpoint')} {id: $id}) ON CREATE SET c.projection = $projection, c.generation = $generation, ` +
          `c.position = $zero, c.updatedAt = $now`,
        {
          projection: spec.projection,
          id,
          generation: neo4j.int(spec.generation),
          fingerprint: spec.fingerprint,
          definition: spec.definition === null ? null : JSON.stringify(spec.definition),
          shape: JSON.stringify(shape),
          now: new Date().toISOString(),
          names,
          zero: positionParam(0n),
        },
      );
    });
    for (const [label, node] of Object.entries(shape.nodes)) {
      const statement =
        `CREATE CONSTRAINT ${quoted('constraint', keyConstraintName(label, spec.projection, spec.generation))} IF NOT EXISTS ` +
        `FOR (n:${quoted('label', physicalName(label, spec.projection, spec.generation))}) REQUIRE n.${quoted('key', node.key)} IS UNIQUE`;
      await this.write((tx) => tx.run(statement));
    }
  }

  async readCheckpoint(view: ViewRef): Promise<bigint | undefined> {
    const result = await this.read((tx) =>
      tx.run(`MATCH (c:${this.l('checkpoint')} {id: $id}) RETURN c.position AS position`, {
        id: generationId(view.projection, view.generation),
      }),
    );
    const record = result.records[0];
    return record === undefined ? undefined : toBigInt(record.get('position'));
  }

  /** Graph plans do not read state: there are no documents to load. */
  load(): Promise<ReadonlyMap<DocumentKey, LoadedDocument>> {
    return Promise.resolve(new Map());
  }

  validate(view: ViewRef, document: ViewDocument): string | undefined {
    void document;
    return `projection "${view.projection}" has a graph view, which stores nodes and relationships, not documents`;
  }

  async commit(view: ViewRef, batch: CommitBatch): Promise<CommitResult> {
    // Built (and checked against the shape) before the transaction: a bad operation never opens one.
    const statements = this.builder(view).statements(batch.operations);
    const id = generationId(view.projection, view.generation);
    return this.write<CommitResult>(async (tx) => {
      // Writing the checkpoint node first takes its write lock; the position is read under that lock, so
      // two runners of one generation cannot both pass the compare (Neo4j reads committed data, it does not
      // re-check a WHERE evaluated before a lock wait).
      const locked = await tx.run(
        `MATCH (c:${this.l('checkpoint')} {id: $id}) SET c.updatedAt = $now RETURN c.position AS position`,
        { id, now: new Date().toISOString() },
      );
      const record = locked.records[0];
      const actual = record === undefined ? undefined : toBigInt(record.get('position'));
      if (actual !== batch.checkpoint.from)
        throw new Rollback<CommitResult>({ kind: 'checkpoint-mismatch', actual });
      for (const statement of statements) await tx.run(statement.cypher, { rows: statement.rows });
      if (batch.park !== undefined && batch.park.length > 0) {
        await tx.run(
          `UNWIND $rows AS row MERGE (p:${this.l('parked')} {id: row.id}) SET p += row.properties`,
          {
            rows: batch.park.map((parked) => ({
              id: parkedId(parked.projection, parked.generation, parked.position),
              properties: parkedProperties(parked),
            })),
          },
        );
      }
      if (batch.release !== undefined && batch.release.length > 0) {
        await tx.run(`UNWIND $ids AS id MATCH (p:${this.l('parked')} {id: id}) DELETE p`, {
          ids: batch.release.map((position) => parkedId(view.projection, view.generation, position)),
        });
      }
      if (batch.resolve !== undefined && batch.resolve.length > 0) {
        // Kept beside the parked records (same label, own id, a `resolution` property), so whatever
        // removes a generation's parking records removes these too.
        await tx.run(
          `UNWIND $rows AS row MERGE (p:${this.l('parked')} {id: row.id}) SET p += row.properties`,
          {
            rows: batch.resolve.map((resolution) => ({
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
          },
        );
      }
      await tx.run(`MATCH (c:${this.l('checkpoint')} {id: $id}) SET c.position = $to`, {
        id,
        to: positionParam(batch.checkpoint.to),
      });
      return { kind: 'committed', checkpoint: batch.checkpoint.to };
    });
  }

  async activate(view: ViewRef, options?: { readonly minCheckpoint?: bigint }): Promise<ActivateResult> {
    const id = generationId(view.projection, view.generation);
    return this.write<ActivateResult>(async (tx) => {
      // Lock the checkpoint, then re-check it: a runner cannot move it between the check and the swap.
      const locked = await tx.run(
        `MATCH (c:${this.l('checkpoint')} {id: $id}) MATCH (g:${this.l('generation')} {id: $id}) ` +
          `SET c.updatedAt = $now RETURN c.position AS position`,
        { id, now: new Date().toISOString() },
      );
      const record = locked.records[0];
      if (record === undefined) throw new UnknownGenerationError(view.projection, view.generation, 'neo4j');
      const position = toBigInt(record.get('position'));
      if (options?.minCheckpoint !== undefined && position < options.minCheckpoint) {
        throw new Rollback<ActivateResult>({ kind: 'behind', checkpoint: position });
      }
      const swapped = await tx.run(
        `MERGE (p:${this.l('projection')} {name: $projection}) ON CREATE SET p.paused = false ` +
          `WITH p, p.activeGeneration AS previous SET p.activeGeneration = $generation ` +
          `WITH previous MATCH (g:${this.l('generation')} {projection: $projection}) ` +
          `SET g.status = CASE WHEN g.generation = $generation THEN 'active' WHEN g.status = 'active' THEN 'retired' ELSE g.status END ` +
          `RETURN DISTINCT previous`,
        { projection: view.projection, generation: neo4j.int(view.generation) },
      );
      const previous = swapped.records[0]?.get('previous') as unknown;
      const before = previous === null || previous === undefined ? null : toNumber(previous);
      return { kind: 'activated', previous: before === view.generation ? null : before };
    });
  }

  async drop(view: ViewRef): Promise<void> {
    const shape = graphShape(view.projection, view.shape);
    const id = generationId(view.projection, view.generation);
    // Mark it first: a query that read this generation re-checks the mark afterwards and retries on the
    // active one, so no reader ever returns a half-deleted graph.
    await this.write(async (tx) => {
      const status = await tx.run(
        `OPTIONAL MATCH (p:${this.l('projection')} {name: $projection}) ` +
          `OPTIONAL MATCH (g:${this.l('generation')} {id: $id}) ` +
          `RETURN p.activeGeneration AS active, g.status AS status`,
        { projection: view.projection, id },
      );
      const record = status.records[0];
      const active = record?.get('active') as unknown;
      if (
        record?.get('status') === 'active' ||
        (active !== null && active !== undefined && toNumber(active) === view.generation)
      ) {
        throw new ActiveGenerationDropError(view.projection, view.generation);
      }
      await tx.run(`MATCH (g:${this.l('generation')} {id: $id}) SET g.status = 'dropping'`, { id });
    });
    const batch = neo4j.int(this.options.dropBatchSize ?? 10_000);
    for (const label of Object.keys(shape.nodes)) {
      const physical = quoted('label', physicalName(label, view.projection, view.generation));
      for (;;) {
        const deleted = await this.write((tx) =>
          tx.run(`MATCH (n:${physical}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted`, {
            batch,
          }),
        );
        if (toNumber(deleted.records[0]?.get('deleted') ?? 0) === 0) break;
      }
      const constraint = quoted('constraint', keyConstraintName(label, view.projection, view.generation));
      await this.write((tx) => tx.run(`DROP CONSTRAINT ${constraint} IF EXISTS`));
    }
    await this.write((tx) =>
      tx.run(
        `OPTIONAL MATCH (c:${this.l('checkpoint')} {id: $id}) DETACH DELETE c ` +
          `WITH count(*) AS ignored OPTIONAL MATCH (p:${this.l('parked')} {projection: $projection, generation: $generation}) DETACH DELETE p ` +
          `WITH count(*) AS ignored OPTIONAL MATCH (g:${this.l('generation')} {id: $id}) DETACH DELETE g`,
        { id, projection: view.projection, generation: neo4j.int(view.generation) },
      ),
    );
  }

  /** Nodes, then relationships, as entries (see neo4j-scan.ts). */
  scan(view: ViewRef, options: ScanOptions): Promise<ScannedDocument[]> {
    const shape = graphShape(view.projection, view.shape);
    return scanGraph((work) => this.read(work), view.projection, view.generation, shape, options);
  }

  // Parking ----------------------------------------------------------------------------------------

  async listParked(view: ViewRef): Promise<ParkedEvent[]> {
    const result = await this.read((tx) =>
      tx.run(
        `MATCH (p:${this.l('parked')} {projection: $projection, generation: $generation}) ` +
          `WHERE p.resolution IS NULL RETURN p ORDER BY p.position`,
        { projection: view.projection, generation: neo4j.int(view.generation) },
      ),
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

  async listResolutions(view: ViewRef): Promise<ParkingResolution[]> {
    const result = await this.read((tx) =>
      tx.run(
        `MATCH (p:${this.l('parked')} {projection: $projection, generation: $generation}) ` +
          `WHERE p.resolution IS NOT NULL RETURN p.position AS position, p.resolution AS action, ` +
          `p.checkpoint AS checkpoint, p.resolvedAt AS resolvedAt`,
        { projection: view.projection, generation: neo4j.int(view.generation) },
      ),
    );
    return result.records
      .map((record): ParkingResolution => ({
        position: toBigInt(record.get('position')),
        action: record.get('action') === 'discarded' ? 'discarded' : 'replayed',
        checkpoint: toBigInt(record.get('checkpoint')),
        resolvedAt: new Date(String(record.get('resolvedAt'))),
      }))
      .sort(compareResolutions);
  }

  // Retiring a projection (see ../projection-drop.ts) ----------------------------------------------

  async listProjections(): Promise<ProjectionRecord[]> {
    const result = await this.read((tx) =>
      tx.run(
        `MATCH (p:${this.l('projection')}) RETURN p.name AS name, p.activeGeneration AS active, p.paused AS paused ORDER BY name`,
      ),
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

  /** Graph reads resolve the active generation through the registry: there is no read name to remove. */
  dropProjection(projection: string, options: ProjectionDropOptions): Promise<ProjectionDrop> {
    return dropWholeProjection(this, projection, options, {
      physicalNames: (g) => physicalNames(graphShape(projection, g.shape), projection, g.generation),
      readNames: () => [],
      deactivate: async (name) => {
        await this.write((tx) =>
          tx.run(
            `OPTIONAL MATCH (p:${this.l('projection')} {name: $name}) SET p.activeGeneration = null ` +
              `WITH count(*) AS ignored MATCH (g:${this.l('generation')} {projection: $name, status: 'active'}) ` +
              `SET g.status = 'retired'`,
            { name },
          ),
        );
      },
      // The namespace claims are the generation records, which `drop` removed.
      forget: async (name) => {
        await this.write((tx) =>
          tx.run(`MATCH (p:${this.l('projection')} {name: $name}) DETACH DELETE p`, { name }),
        );
      },
    });
  }

  classifyError(error: unknown): 'transient' | 'poison' | undefined {
    return classifyNeo4jError(error);
  }

  async close(): Promise<void> {
    if (this.ownsDriver) await this.driver.close();
  }

  // Internals --------------------------------------------------------------------------------------

  private builder(view: ViewRef): GraphStatementBuilder {
    const key = `${view.projection}\u0000${view.generation}\u0000${JSON.stringify(view.shape)}`;
    let builder = this.builders.get(key);
    if (builder === undefined) {
      builder = new GraphStatementBuilder(
        view.projection,
        view.generation,
        graphShape(view.projection, view.shape),
      );
      this.builders.set(key, builder);
    }
    return builder;
  }

  private l(kind: 'projection' | 'generation' | 'checkpoint' | 'parked'): string {
    return quoted('bookkeeping label', this.labels[kind]);
  }

  private session(mode: 'READ' | 'WRITE'): Session {
    return this.driver.session({
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(this.options.database === undefined ? {} : { database: this.options.database }),
    });
  }

  private async read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.session('READ');
    try {
      return await session.executeRead(work);
    } finally {
      await session.close();
    }
  }

  /** A managed write transaction (the driver retries transient errors); a Rollback returns its value. */
  private async write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.session('WRITE');
    try {
      return await session.executeWrite(work);
    } catch (error) {
      if (error instanceof Rollback) return error.value as T;
      throw error;
    } finally {
      await session.close();
    }
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
