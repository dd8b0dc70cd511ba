/**
 * The physical side of Neo4j generations (ViewStorage, see ../bookkeeping/bookkeeping.port.ts): a
 * generation is a label namespace (`Customer__purchase_graph_g2`, see neo4j-names.ts) with a uniqueness
 * constraint on each node label's key and a RANGE index on each declared index property (the secondary
 * keys updateNodes selects by). There is nothing to swap: named queries resolve the active
 * generation's labels from the registry at query time (src/stores/neo4j/query), so readers switch with it.
 */
import neo4j, { type ManagedTransaction } from 'neo4j-driver';
import type { ViewStorage } from '../bookkeeping/bookkeeping.port';
import type { GenerationSpec, ViewRef } from '../target.port';
import { toNumber } from './neo4j-bookkeeping';
import { GraphNamespaceClaimedError } from './neo4j.errors';
import {
  graphShape,
  keyConstraintName,
  physicalName,
  physicalNames,
  propertyIndexName,
  quoted,
} from './neo4j-names';
import type { Neo4jLookups } from './neo4j-lookups';
import type { Neo4jSessions } from './neo4j-records';

export class Neo4jStorage implements ViewStorage<ManagedTransaction> {
  readonly kind = 'neo4j';

  constructor(
    private readonly sessions: Neo4jSessions,
    /** Nodes deleted per transaction by `dropStorage`. */
    private readonly dropBatchSize: number,
    private readonly lookups: Neo4jLookups,
  ) {}

  recorded(spec: GenerationSpec) {
    const shape = graphShape(spec.projection, spec.shape);
    return { shape, names: physicalNames(shape, spec.projection, spec.generation) };
  }

  claimedError(spec: GenerationSpec, owner: string, names: readonly string[]): Error {
    return new GraphNamespaceClaimedError(spec.projection, owner, [...names]);
  }

  /** Schema statements cannot share a transaction with data writes: one each, all idempotent. */
  async createStorage(spec: GenerationSpec): Promise<void> {
    const shape = graphShape(spec.projection, spec.shape);
    for (const [label, node] of Object.entries(shape.nodes)) {
      const statement =
        `CREATE CONSTRAINT ${quoted('constraint', keyConstraintName(label, spec.projection, spec.generation))} IF NOT EXISTS ` +
        `FOR (n:${quoted('label', physicalName(label, spec.projection, spec.generation))}) REQUIRE n.${quoted('key', node.key)} IS UNIQUE`;
      await this.sessions.write((tx) => tx.run(statement));
      for (const property of node.indexes ?? []) {
        const name = propertyIndexName(label, property, spec.projection, spec.generation);
        const index =
          `CREATE RANGE INDEX ${quoted('index', name)} IF NOT EXISTS ` +
          `FOR (n:${quoted('label', physicalName(label, spec.projection, spec.generation))}) ON (n.${quoted('property', property)})`;
        await this.sessions.write((tx) => tx.run(index));
      }
    }
  }

  physicalNames(generation: GenerationSpec): string[] {
    const shape = graphShape(generation.projection, generation.shape);
    return physicalNames(shape, generation.projection, generation.generation);
  }

  /** Graph reads resolve the active generation through the registry: there is no read name. */
  readNames(): string[] {
    return [];
  }

  removeReaders(): Promise<void> {
    return Promise.resolve();
  }

  /** The registry flip (done by the caller) is the swap. */
  swapReaders(): Promise<void> {
    return Promise.resolve();
  }

  readonly dropsInTransaction = false;

  /** In batches, so a large generation never needs one huge transaction. */
  async dropStorage(view: ViewRef): Promise<void> {
    const shape = graphShape(view.projection, view.shape);
    const batch = neo4j.int(this.dropBatchSize);
    for (const label of Object.keys(shape.nodes)) {
      const physical = quoted('label', physicalName(label, view.projection, view.generation));
      for (;;) {
        const deleted = await this.sessions.write((tx) =>
          tx.run(`MATCH (n:${physical}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted`, {
            batch,
          }),
        );
        if (toNumber(deleted.records[0]?.get('deleted') ?? 0) === 0) break;
      }
      const constraint = quoted('constraint', keyConstraintName(label, view.projection, view.generation));
      await this.sessions.write((tx) => tx.run(`DROP CONSTRAINT ${constraint} IF EXISTS`));
      for (const property of shape.nodes[label]!.indexes ?? []) {
        const index = quoted('index', propertyIndexName(label, property, view.projection, view.generation));
        await this.sessions.write((tx) => tx.run(`DROP INDEX ${index} IF EXISTS`));
      }
    }
    await this.lookups.drop(view, this.dropBatchSize);
  }
}
