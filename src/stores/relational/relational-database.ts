/**
 * One relational database as the target, its bookkeeping and its migrations use it: statements written
 * with `$n` placeholders (the dialect rewrites them), run alone or in a transaction, on PostgreSQL or on
 * the one SQLite connection (which TypeORM shares between all its query runners, hence the mutex).
 */
import type { DataSource, QueryRunner } from 'typeorm';
import type { ConnectionWatch } from '../../core/connection-watch';
import { returningRollback } from '../bookkeeping/rollback';
import type { RelationalDialect, SqlStatement } from './relational-dialect';

export type Row = Record<string, unknown>;

export interface Session {
  run(statement: SqlStatement): Promise<{ rows: Row[]; affected: number }>;
  readonly runner: QueryRunner;
}

/** Serializes access to the one SQLite connection. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }
}

export class RelationalDatabase {
  private readonly mutex: Mutex | undefined;

  constructor(
    readonly dataSource: DataSource,
    readonly dialect: RelationalDialect,
    /** The pool's lost and regained connection, logged once per outage. */
    private readonly watch: ConnectionWatch,
  ) {
    this.mutex = dialect.name === 'sqlite' ? new Mutex() : undefined;
  }

  /** Quoted, schema-qualified name for SQL text. */
  t(name: string): string {
    return this.dialect.qualify(name);
  }

  async query(statement: SqlStatement): Promise<Row[]> {
    return this.withSession(false, async (session) => (await session.run(statement)).rows);
  }

  /** Runs `work` in one transaction; a Rollback it throws rolls back and becomes the result. */
  async transaction<T>(work: (session: Session) => Promise<T>): Promise<T> {
    return returningRollback(() => this.withSession(true, work));
  }

  /** Runs `work` on one connection without a transaction (each statement commits on its own). */
  async session<T>(work: (session: Session) => Promise<T>): Promise<T> {
    return this.withSession(false, work);
  }

  private async withSession<T>(transactional: boolean, work: (session: Session) => Promise<T>): Promise<T> {
    const release = await this.mutex?.acquire();
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      if (transactional) {
        await runner.startTransaction();
        for (const setting of this.dialect.transactionSettings) await runner.query(setting);
      }
      const session: Session = {
        runner,
        run: async (statement) => {
          const prepared = this.dialect.prepare(statement);
          const result = (await runner.query(prepared.sql, [...prepared.params], true)) as {
            records?: Row[];
            affected?: number;
          };
          return { rows: result.records ?? [], affected: result.affected ?? 0 };
        },
      };
      try {
        const result = await work(session);
        if (transactional) await runner.commitTransaction();
        this.watch.reached();
        return result;
      } catch (error) {
        if (transactional && runner.isTransactionActive)
          await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
      release?.();
    }
  }
}
