/**
 * The schema version of the Neo4j bookkeeping and its migrations (see ../bookkeeping/README.md).
 *
 *   (:PrismSchema {component: 'bookkeeping', version})   unique on `component`
 *
 * Neo4j has no lock to take across schema statements: every migration is create-if-absent (`IF NOT
 * EXISTS`), the version node is MERGEd under its uniqueness constraint, and the version only moves up, so
 * concurrent initializers end at the same version.
 */
import neo4j from 'neo4j-driver';
import type { Migration, SchemaVersionStore } from '../bookkeeping/schema-migrations';
import {
  bookkeepingConstraints,
  schemaConstraint,
  toNumber,
  type BookkeepingLabels,
} from './neo4j-bookkeeping';
import { quoted } from './neo4j-names';
import type { Neo4jSessions } from './neo4j-records';

const COMPONENT = 'bookkeeping';

/** The migrations of the Neo4j bookkeeping, oldest first (version 1: the layout of Prism 0.1). */
export function neo4jMigrations(sessions: Neo4jSessions, labels: BookkeepingLabels): Migration[] {
  return [
    {
      version: 1,
      description:
        'uniqueness constraints of the registry, generation, checkpoint and parked nodes (as Prism wrote them before versions were recorded)',
      up: async () => {
        // Schema statements cannot share a transaction with data writes; each is idempotent.
        for (const statement of bookkeepingConstraints(labels))
          await sessions.write((tx) => tx.run(statement));
      },
    },
    {
      version: 2,
      description:
        'the checkpoint fence (issue #15): property `fence` of the checkpoint nodes, the lease epoch of the last writer that carried one (0 for existing ones)',
      // Idempotent: only nodes without it. Reads take a missing fence as 0 as well, for checkpoints an
      // older Prism still running creates while this one upgrades.
      up: async () => {
        const checkpoint = quoted('bookkeeping label', labels.checkpoint);
        await sessions.write((tx) => tx.run(`MATCH (c:${checkpoint}) WHERE c.fence IS NULL SET c.fence = 0`));
      },
    },
  ];
}

export class Neo4jSchemaVersion implements SchemaVersionStore {
  constructor(
    private readonly sessions: Neo4jSessions,
    private readonly labels: BookkeepingLabels,
  ) {}

  get description(): string {
    return `the Neo4j bookkeeping labelled ${this.labels.prefix}*`;
  }

  /** No lock: the version node's constraint (created first, idempotent) makes its MERGE safe to race. */
  async withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    await this.sessions.write((tx) => tx.run(schemaConstraint(this.labels)));
    return work();
  }

  async readVersion(): Promise<number | undefined> {
    const result = await this.sessions.read((tx) =>
      tx.run(`MATCH (s:${this.label()} {component: $component}) RETURN s.version AS version`, {
        component: COMPONENT,
      }),
    );
    const version = result.records[0]?.get('version') as unknown;
    return version === null || version === undefined ? undefined : toNumber(version);
  }

  async writeVersion(version: number): Promise<void> {
    await this.sessions.write((tx) =>
      tx.run(
        `MERGE (s:${this.label()} {component: $component}) ` +
          `SET s.version = CASE WHEN s.version IS NULL OR s.version < $version THEN $version ELSE s.version END, ` +
          `s.updatedAt = $now`,
        { component: COMPONENT, version: neo4j.int(version), now: new Date().toISOString() },
      ),
    );
  }

  private label(): string {
    return quoted('bookkeeping label', this.labels.schema);
  }
}
