/**
 * Lookups (correlation state, src/core/lookups.ts) of Neo4j generations: one node per entry, labelled
 * `PrismLookup__<projection>_g<N>` (a Prism name no declared label can take), `{lookup, key, value,
 * position}`, its value as JSON text so every type comes back as it was written. Entries are merged in
 * the commit's graph transaction, with the view's writes and the checkpoint, and an entry is replaced only
 * by a write of an equal or later position. A uniqueness constraint on (lookup, key) indexes them; schema
 * statements cannot share a transaction with data, so it is created (idempotently) before the first commit
 * with entries. `drop` deletes the entries with the generation.
 */
import neo4j, { type ManagedTransaction } from 'neo4j-driver';
import type { JsonValue } from '../../core/json';
import type { LookupEntryRef, LookupWrite, StoredLookupEntry, StoredLookups } from '../../core/lookups';
import type { ViewRef } from '../target.port';
import { toBigInt, toNumber } from './neo4j-bookkeeping';
import { physicalName, quoted } from './neo4j-names';
import type { Neo4jSessions } from './neo4j-records';

export const LOOKUP_LABEL = 'PrismLookup';

export class Neo4jLookups {
  /** Generations whose lookup constraint this process created or saw. */
  private readonly constrained = new Set<string>();

  constructor(private readonly sessions: Neo4jSessions) {}

  label(view: Pick<ViewRef, 'projection' | 'generation'>): string {
    return quoted('label', physicalName(LOOKUP_LABEL, view.projection, view.generation));
  }

  private constraint(view: Pick<ViewRef, 'projection' | 'generation'>): string {
    return quoted(
      'constraint',
      `prism_lookup_${physicalName(LOOKUP_LABEL, view.projection, view.generation)}`,
    );
  }

  /** Before the commit's transaction: the (lookup, key) constraint of the generation. Idempotent. */
  async prepare(view: ViewRef): Promise<void> {
    const label = this.label(view);
    if (this.constrained.has(label)) return;
    await this.sessions.write((tx) =>
      tx.run(
        `CREATE CONSTRAINT ${this.constraint(view)} IF NOT EXISTS FOR (l:${label}) REQUIRE (l.lookup, l.key) IS UNIQUE`,
      ),
    );
    this.constrained.add(label);
  }

  /** Inside the commit's graph transaction. */
  async write(tx: ManagedTransaction, view: ViewRef, writes: readonly LookupWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const rows = writes.map((write) => ({
      lookup: write.lookup,
      key: write.key,
      value: JSON.stringify(write.value),
      position: neo4j.int(write.position.toString()),
    }));
    await tx.run(
      `UNWIND $rows AS r MERGE (l:${this.label(view)} {lookup: r.lookup, key: r.key}) ` +
        'ON CREATE SET l.value = r.value, l.position = r.position ' +
        'WITH l, r WHERE l.position <= r.position SET l.value = r.value, l.position = r.position',
      { rows },
    );
  }

  async load(view: ViewRef, refs: readonly LookupEntryRef[]): Promise<StoredLookups> {
    if (refs.length === 0) return new Map();
    const result = await this.sessions.read((tx) =>
      tx.run(
        `UNWIND $refs AS r MATCH (l:${this.label(view)} {lookup: r.lookup, key: r.key}) ` +
          'RETURN l.lookup AS lookup, l.key AS key, l.value AS value, l.position AS position',
        { refs: refs.map(({ lookup, key }) => ({ lookup, key })) },
      ),
    );
    return entriesOf(result.records);
  }

  async scan(view: ViewRef): Promise<StoredLookups> {
    const result = await this.sessions.read((tx) =>
      tx.run(
        `MATCH (l:${this.label(view)}) RETURN l.lookup AS lookup, l.key AS key, l.value AS value, l.position AS position`,
      ),
    );
    return entriesOf(result.records);
  }

  /** In batches of `batchSize` nodes, then the constraint. */
  async drop(view: ViewRef, batchSize: number): Promise<void> {
    const label = this.label(view);
    const batch = neo4j.int(batchSize);
    for (;;) {
      const deleted = await this.sessions.write((tx) =>
        tx.run(`MATCH (l:${label}) WITH l LIMIT $batch DELETE l RETURN count(*) AS deleted`, { batch }),
      );
      if (toNumber(deleted.records[0]?.get('deleted') ?? 0) === 0) break;
    }
    await this.sessions.write((tx) => tx.run(`DROP CONSTRAINT ${this.constraint(view)} IF EXISTS`));
    this.constrained.delete(label);
  }
}

function entriesOf(records: readonly { get(key: string): unknown }[]): StoredLookups {
  const loaded = new Map<string, Map<string, StoredLookupEntry>>();
  for (const record of records) {
    const lookup = String(record.get('lookup'));
    if (!loaded.has(lookup)) loaded.set(lookup, new Map());
    loaded.get(lookup)!.set(String(record.get('key')), {
      value: JSON.parse(String(record.get('value'))) as JsonValue,
      position: toBigInt(record.get('position')),
    });
  }
  return loaded;
}
