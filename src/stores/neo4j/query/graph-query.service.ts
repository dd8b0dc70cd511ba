/**
 * Runs a graph view's NAMED read queries; no client ever sends Cypher. Per request:
 *  1. the view and query come from the registry (definitions), the parameters are typed by their
 *     declaration (graph-query.parameters.ts);
 *  2. in ONE read transaction (session `defaultAccessMode: READ` and `executeRead`, so the server refuses
 *     any write), with a timeout: read the active generation and its shape from the Neo4j target's
 *     registry, bind the query's declared labels to that generation's physical ones, stream at most
 *     `maxRows` rows, and re-check the generation was not marked for dropping meanwhile (if it was, the
 *     answer may be partial: run again on the now-active generation).
 *
 * Core logic only: the Nest controller and module wrap it.
 */
import neo4j, {
  type Driver,
  type ManagedTransaction,
  Neo4jError,
  type Record as Neo4jRecord,
} from 'neo4j-driver';
import type { JsonValue } from '../../../core/json';
import type { Neo4jTargetShape } from '../neo4j-view-shape';
import { bookkeepingLabels, toNumber, type BookkeepingLabels } from '../neo4j-bookkeeping';
import { bindLabels } from './cypher-label-binder';
import {
  GraphQueryParameterError,
  GraphQueryTimeoutError,
  GraphViewNotReadyError,
  UnknownGraphViewError,
  UnknownNamedQueryError,
} from './graph-query.errors';
import { bindParameters } from './graph-query.parameters';
import { GraphResultMapper } from './graph-result.mapper';
import type { GraphViewRegistry } from './graph-view-registry';

export interface GraphQueryOptions {
  readonly database?: string;
  /** Label prefix of the Neo4j target's bookkeeping records; default `Prism`. */
  readonly bookkeepingPrefix?: string;
  /** Transaction timeout of one query. Default 5,000 ms. */
  readonly timeoutMs?: number;
  /** Rows returned at most; more are cut off and `truncated` is true. Default 1,000. */
  readonly maxRows?: number;
}

export interface GraphQueryResult {
  readonly view: string;
  readonly query: string;
  /** The generation the answer was read from. */
  readonly generation: number;
  readonly columns: string[];
  readonly rows: Record<string, JsonValue>[];
  readonly truncated: boolean;
}

const MAX_ATTEMPTS = 3;
/**
 * Neo4j errors about a value rather than the query: the query was checked at load, so the caller's
 * parameters caused them (e.g. `range(1, 5, $step)` with step 0) and the answer is a 400, not a 500.
 */
const VALUE_ERRORS =
  /^Neo\.ClientError\.Statement\.(ArgumentError|TypeError|ArithmeticError|ParameterMissing)$/;

type Attempt = { readonly kind: 'stale' } | { readonly kind: 'done'; readonly result: GraphQueryResult };

export class GraphQueryService {
  private readonly labels: BookkeepingLabels;
  private readonly timeoutMs: number;
  private readonly maxRows: number;
  private readonly bound = new Map<string, string>();

  constructor(
    private readonly driver: Driver,
    private readonly registry: GraphViewRegistry,
    private readonly options: GraphQueryOptions = {},
  ) {
    this.labels = bookkeepingLabels(options.bookkeepingPrefix);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxRows = options.maxRows ?? 1_000;
  }

  async run(
    viewName: string,
    queryName: string,
    raw: Readonly<Record<string, unknown>>,
  ): Promise<GraphQueryResult> {
    const view = await this.registry.get(viewName);
    if (view === undefined) throw new UnknownGraphViewError(viewName);
    const query = Object.hasOwn(view.queries, queryName) ? view.queries[queryName] : undefined;
    if (query === undefined || typeof query.body !== 'string') {
      throw new UnknownNamedQueryError(viewName, queryName, Object.keys(view.queries));
    }
    const cypher = query.body;
    const parameters = bindParameters(query, raw);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.readOnly((tx) =>
        this.attempt(tx, viewName, view.projection, queryName, cypher, parameters),
      ).catch((error: unknown) => {
        throw refusedValue(error, queryName, raw) ?? error;
      });
      if (outcome.kind === 'done') return outcome.result;
      if (attempt >= MAX_ATTEMPTS) throw new GraphViewNotReadyError(viewName);
    }
  }

  /**
   * The read-only guard every named query runs in: a READ session and a managed read transaction with a
   * timeout. A query that tried to write fails here (Neo.ClientError.Statement.AccessMode).
   */
  async readOnly<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.driver.session({
      defaultAccessMode: neo4j.session.READ,
      fetchSize: this.maxRows + 1,
      ...(this.options.database === undefined ? {} : { database: this.options.database }),
    });
    try {
      return await session.executeRead(work, { timeout: this.timeoutMs });
    } catch (error) {
      if (
        error instanceof Neo4jError &&
        /TransactionTimedOut|Transaction\.TransactionTimedOut/.test(error.code)
      ) {
        throw new GraphQueryTimeoutError('named query', this.timeoutMs);
      }
      throw error;
    } finally {
      await session.close();
    }
  }

  private async attempt(
    tx: ManagedTransaction,
    viewName: string,
    projection: string,
    queryName: string,
    cypher: string,
    parameters: Record<string, unknown>,
  ): Promise<Attempt> {
    const active = await tx.run(
      `MATCH (p:\`${this.labels.projection}\` {name: $projection}) WHERE p.activeGeneration IS NOT NULL ` +
        `MATCH (g:\`${this.labels.generation}\` {projection: $projection, generation: p.activeGeneration}) ` +
        `RETURN g.generation AS generation, g.shape AS shape, g.id AS id`,
      { projection },
    );
    const record = active.records[0];
    if (record === undefined) throw new GraphViewNotReadyError(viewName);
    const generation = toNumber(record.get('generation'));
    const shape = JSON.parse(String(record.get('shape'))) as Neo4jTargetShape;
    const physical = this.physicalQuery(cypher, shape, projection, generation);

    const records: Neo4jRecord[] = [];
    let columns: string[] = [];
    let truncated = false;
    const result = tx.run(physical, parameters);
    for await (const row of result) {
      if (records.length === this.maxRows) {
        truncated = true;
        break;
      }
      records.push(row);
    }
    if (records.length > 0) columns = records[0]!.keys.map(String);
    else columns = (await result.keys().catch(() => [])).map(String);

    const mapper = new GraphResultMapper(projection, generation, shape);
    const ends = new Set<string>();
    for (const row of records) for (const value of row.values()) mapper.collect(value, ends);
    const unknown = mapper.unknown(ends);
    if (unknown.length > 0) {
      const lookup = await tx.run(
        'MATCH (n) WHERE elementId(n) IN $ids RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS properties',
        { ids: unknown },
      );
      for (const end of lookup.records) {
        mapper.rememberLookup(
          String(end.get('id')),
          end.get('labels') as string[],
          end.get('properties') as Record<string, unknown>,
        );
      }
    }

    // A drop marks the generation before deleting anything: if the mark is there now, what we read may
    // be partial, so read again from the (new) active generation.
    const still = await tx.run(
      `MATCH (g:\`${this.labels.generation}\` {id: $id}) RETURN g.status AS status`,
      {
        id: record.get('id') as string,
      },
    );
    const status = still.records[0]?.get('status') as unknown;
    if (status !== 'active' && status !== 'retired') return { kind: 'stale' };

    return {
      kind: 'done',
      result: {
        view: viewName,
        query: queryName,
        generation,
        columns,
        rows: records.map((row) =>
          Object.fromEntries(columns.map((column) => [column, mapper.toJson(row.get(column))])),
        ),
        truncated,
      },
    };
  }

  private physicalQuery(
    cypher: string,
    shape: Neo4jTargetShape,
    projection: string,
    generation: number,
  ): string {
    const key = `${projection}\u0000${generation}\u0000${cypher}`;
    let bound = this.bound.get(key);
    if (bound === undefined) {
      bound = bindLabels(cypher, shape, projection, generation);
      this.bound.set(key, bound);
    }
    return bound;
  }
}

/** A GraphQueryParameterError for a value Neo4j refused, naming the request's parameters; else undefined. */
function refusedValue(
  error: unknown,
  query: string,
  raw: Readonly<Record<string, unknown>>,
): GraphQueryParameterError | undefined {
  if (!(error instanceof Neo4jError) || !VALUE_ERRORS.test(error.code)) return undefined;
  const given = Object.keys(raw);
  return new GraphQueryParameterError(
    query,
    given.length > 0 ? given.join(', ') : '(defaults)',
    `Neo4j refused the value (${error.message.split('\n')[0]})`,
  );
}
