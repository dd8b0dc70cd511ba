/**
 * The SQL side of SpilledGraph: two tables in the scratch file, in the order `Neo4jTarget.scan` lists a
 * graph (see spilled-graph.ts). A key column has no declared type, so a key keeps its own (TEXT or a
 * number, compared by value); the `*t` column before it puts strings (0) before numbers (1), as Cypher's
 * ORDER BY does. `seen` marks the entries the live view listed.
 */
import type Database from 'better-sqlite3';
import type { JsonObject } from '../core/json';

export type GraphKey = string | number;

/** A row: a node (`name` its label) or a relationship (`name` its type, `key` its from key). */
export interface StoredEntry {
  readonly kind: 'node' | 'rel';
  readonly name: string;
  readonly key: GraphKey;
  readonly to?: GraphKey;
  readonly props: string;
}

/** SQLite's own page cache: negative = KiB. */
const SQLITE_CACHE_KIB = 8_192;

const typeOf = (key: GraphKey) => (typeof key === 'number' ? 1 : 0);

export class GraphSpillTables {
  private readonly statements;

  constructor(database: Database.Database) {
    // A scratch file: nothing to recover after a crash, so no journal and no fsync.
    database.pragma('journal_mode = OFF');
    database.pragma('synchronous = OFF');
    database.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
    database.exec(
      'CREATE TABLE nodes (label TEXT NOT NULL, kt INTEGER NOT NULL, k NOT NULL, props TEXT NOT NULL, ' +
        'seen INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (label, kt, k)) WITHOUT ROWID;' +
        'CREATE TABLE rels (type TEXT NOT NULL, ft INTEGER NOT NULL, f NOT NULL, tt INTEGER NOT NULL, ' +
        't NOT NULL, props TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0, ' +
        'PRIMARY KEY (type, ft, f, tt, t)) WITHOUT ROWID;' +
        // deleteNode detaches the relationships that end at the node, too
        'CREATE INDEX rels_to ON rels (type, tt, t);',
    );
    const node = 'label = ? AND kt = ? AND k = ?';
    const rel = 'type = ? AND ft = ? AND f = ? AND tt = ? AND t = ?';
    this.statements = {
      nodeProps: database.prepare<[string, number, GraphKey], { props: string }>(
        `SELECT props FROM nodes WHERE ${node}`,
      ),
      relProps: database.prepare<[string, number, GraphKey, number, GraphKey], { props: string }>(
        `SELECT props FROM rels WHERE ${rel}`,
      ),
      putNode: database.prepare<[string, number, GraphKey, string]>(
        'INSERT INTO nodes (label, kt, k, props) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT DO UPDATE SET props = excluded.props',
      ),
      putRel: database.prepare<[string, number, GraphKey, number, GraphKey, string]>(
        'INSERT INTO rels (type, ft, f, tt, t, props) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT DO UPDATE SET props = excluded.props',
      ),
      deleteNode: database.prepare<[string, number, GraphKey]>(`DELETE FROM nodes WHERE ${node}`),
      deleteRel: database.prepare<[string, number, GraphKey, number, GraphKey]>(
        `DELETE FROM rels WHERE ${rel}`,
      ),
      deleteRelsFrom: database.prepare<[string, number, GraphKey]>(
        'DELETE FROM rels WHERE type = ? AND ft = ? AND f = ?',
      ),
      deleteRelsTo: database.prepare<[string, number, GraphKey]>(
        // named: without statistics, SQLite chose the primary key on `type` alone (a scan of the type)
        'DELETE FROM rels INDEXED BY rels_to WHERE type = ? AND tt = ? AND t = ?',
      ),
      markNode: database.prepare<[string, number, GraphKey]>(`UPDATE nodes SET seen = 1 WHERE ${node}`),
      markRel: database.prepare<[string, number, GraphKey, number, GraphKey]>(
        `UPDATE rels SET seen = 1 WHERE ${rel}`,
      ),
      // updateNodes: the label's rows whose property holds the value (a scan of the label, as
      // MemoryGraphView goes through its nodes); the JSON type is checked too, as `===` does (true is 1
      // to json_extract)
      nodesWith: database.prepare<
        [string, string, GraphKey, string, string, string],
        { k: GraphKey; props: string }
      >(
        'SELECT k, props FROM nodes WHERE label = ? AND json_extract(props, ?) = ? ' +
          'AND json_type(props, ?) IN (?, ?)',
      ),
      count: database.prepare<[], { n: number }>(
        'SELECT (SELECT count(*) FROM nodes) + (SELECT count(*) FROM rels) AS n',
      ),
      nodePage: (unseen: boolean) =>
        database.prepare<
          [string, number, GraphKey, number],
          { label: string; kt: number; k: GraphKey; props: string }
        >(
          'SELECT label, kt, k, props FROM nodes WHERE (label, kt, k) > (?, ?, ?)' +
            `${unseen ? ' AND seen = 0' : ''} ORDER BY label, kt, k LIMIT ?`,
        ),
      relPage: (unseen: boolean) =>
        database.prepare<
          [string, number, GraphKey, number, GraphKey, number],
          { type: string; ft: number; f: GraphKey; tt: number; t: GraphKey; props: string }
        >(
          'SELECT type, ft, f, tt, t, props FROM rels WHERE (type, ft, f, tt, t) > (?, ?, ?, ?, ?)' +
            `${unseen ? ' AND seen = 0' : ''} ORDER BY type, ft, f, tt, t LIMIT ?`,
        ),
    };
  }

  nodeProps(label: string, key: GraphKey): JsonObject | undefined {
    const row = this.statements.nodeProps.get(label, typeOf(key), key);
    return row === undefined ? undefined : (JSON.parse(row.props) as JsonObject);
  }

  relProps(type: string, from: GraphKey, to: GraphKey): JsonObject | undefined {
    const row = this.statements.relProps.get(type, typeOf(from), from, typeOf(to), to);
    return row === undefined ? undefined : (JSON.parse(row.props) as JsonObject);
  }

  putNode(label: string, key: GraphKey, props: JsonObject): void {
    this.statements.putNode.run(label, typeOf(key), key, JSON.stringify(props));
  }

  putRel(type: string, from: GraphKey, to: GraphKey, props: JsonObject): void {
    this.statements.putRel.run(type, typeOf(from), from, typeOf(to), to, JSON.stringify(props));
  }

  deleteNode(label: string, key: GraphKey): void {
    this.statements.deleteNode.run(label, typeOf(key), key);
  }

  deleteRel(type: string, from: GraphKey, to: GraphKey): void {
    this.statements.deleteRel.run(type, typeOf(from), from, typeOf(to), to);
  }

  deleteRelsFrom(type: string, from: GraphKey): void {
    this.statements.deleteRelsFrom.run(type, typeOf(from), from);
  }

  deleteRelsTo(type: string, to: GraphKey): void {
    this.statements.deleteRelsTo.run(type, typeOf(to), to);
  }

  markNode(label: string, key: GraphKey): void {
    this.statements.markNode.run(label, typeOf(key), key);
  }

  markRel(type: string, from: GraphKey, to: GraphKey): void {
    this.statements.markRel.run(type, typeOf(from), from, typeOf(to), to);
  }

  nodesWith(label: string, property: string, value: string | number): { key: GraphKey; props: JsonObject }[] {
    const path = `$.${JSON.stringify(property)}`;
    const types = typeof value === 'number' ? (['integer', 'real'] as const) : (['text', 'text'] as const);
    return this.statements.nodesWith
      .all(label, path, value, path, types[0], types[1])
      .map((row) => ({ key: row.k, props: JSON.parse(row.props) as JsonObject }));
  }

  count(): number {
    return this.statements.count.get()!.n;
  }

  /** Nodes, then relationships, a page at a time, continuing after the last row of the previous page. */
  *pages(pageSize: number, unseenOnly: boolean): Generator<StoredEntry[]> {
    const nodes = this.statements.nodePage(unseenOnly);
    let after: [string, number, GraphKey] = ['', -1, ''];
    for (;;) {
      const rows = nodes.all(...after, pageSize);
      if (rows.length > 0)
        yield rows.map((row) => ({ kind: 'node', name: row.label, key: row.k, props: row.props }));
      if (rows.length < pageSize) break;
      const last = rows[rows.length - 1]!;
      after = [last.label, last.kt, last.k];
    }
    const rels = this.statements.relPage(unseenOnly);
    let relAfter: [string, number, GraphKey, number, GraphKey] = ['', -1, '', -1, ''];
    for (;;) {
      const rows = rels.all(...relAfter, pageSize);
      if (rows.length > 0)
        yield rows.map((row) => ({ kind: 'rel', name: row.type, key: row.f, to: row.t, props: row.props }));
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      relAfter = [last.type, last.ft, last.f, last.tt, last.t];
    }
  }
}
