/**
 * The rebuilt documents of a `verify`, kept in a temporary SQLite file instead of the heap (issue #17: a
 * 100k-row verify raised the server's RSS by 84 MB, a 1M-row view would not fit a 192 MB heap at all).
 *
 * It is the batch fold's state map: `get`, `set` and `delete` are synchronous (better-sqlite3), so the
 * fold runs unchanged. Recent writes stay in the map itself (a write-back cache of `cacheSize` documents);
 * older ones are flushed to the file in one transaction. The comparison reads documents back by key
 * (`getMany`), remembers which keys the live view listed (`markSeen`, in the file too) and finally lists
 * the rebuilt documents no live entry matched (`unseen`), a page at a time. Memory stays bounded by the
 * cache and the page size, whatever the size of the view (the unique-index owners of a relational view
 * with unique indexes excepted: one entry per indexed row).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { JsonObject } from '../core/json';
import type { DocumentKey, ViewDocument } from '../core/plan';
import type { TargetShape } from '../core/view-shape';
import { UniqueIndexedDocuments } from '../stores/memory/unique-indexes';

const DEFAULT_CACHE_SIZE = 5_000;
/** The temporary folder's name starts with it (a graph's: prism-verify-graph-, spilled-graph.ts). */
export const SPILL_FOLDER_PREFIX = 'prism-verify-documents-';
/** SQLite's own page cache: negative = KiB. */
const SQLITE_CACHE_KIB = 8_192;

export class SpilledDocuments extends UniqueIndexedDocuments {
  private folder: string | undefined;
  private database: Database.Database | undefined;
  private cacheSize = DEFAULT_CACHE_SIZE;
  private statements!: {
    readonly get: Database.Statement<[string], { doc: string }>;
    readonly put: Database.Statement<[string, string]>;
    readonly remove: Database.Statement<[string]>;
    readonly count: Database.Statement<[], { n: number }>;
    readonly seen: Database.Statement<[string]>;
    readonly unseen: Database.Statement<[string, number], { key: string; doc: string }>;
    readonly keys: Database.Statement<[string, number], { key: string; doc: string }>;
  };

  /** A spilled table for this view's shape, in a fresh temporary folder (removed by `close`) in `directory`. */
  static create(shape: TargetShape, cacheSize = DEFAULT_CACHE_SIZE, directory = tmpdir()): SpilledDocuments {
    const documents = new SpilledDocuments().withShape(shape);
    documents.open(cacheSize, directory);
    return documents;
  }

  private open(cacheSize: number, directory: string): void {
    this.cacheSize = cacheSize;
    this.folder = mkdtempSync(path.join(directory, SPILL_FOLDER_PREFIX));
    const database = new Database(path.join(this.folder, 'rebuilt.sqlite'));
    // A scratch file: nothing to recover after a crash, so no journal and no fsync.
    database.pragma('journal_mode = OFF');
    database.pragma('synchronous = OFF');
    database.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
    database.exec(
      'CREATE TABLE docs (key TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;' +
        'CREATE TABLE seen (key TEXT PRIMARY KEY) WITHOUT ROWID;',
    );
    this.database = database;
    this.statements = {
      get: database.prepare('SELECT doc FROM docs WHERE key = ?'),
      put: database.prepare(
        'INSERT INTO docs (key, doc) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc',
      ),
      remove: database.prepare('DELETE FROM docs WHERE key = ?'),
      count: database.prepare('SELECT count(*) AS n FROM docs'),
      seen: database.prepare('INSERT OR IGNORE INTO seen (key) VALUES (?)'),
      unseen: database.prepare(
        'SELECT key, doc FROM docs WHERE key > ? AND key NOT IN (SELECT key FROM seen) ORDER BY key LIMIT ?',
      ),
      keys: database.prepare('SELECT key, doc FROM docs WHERE key > ? ORDER BY key LIMIT ?'),
    };
  }

  override get(key: DocumentKey): ViewDocument | undefined {
    const cached = Map.prototype.get.call(this, key) as ViewDocument | undefined;
    if (cached !== undefined || this.database === undefined) return cached;
    const row = this.statements.get.get(key);
    return row === undefined ? undefined : (JSON.parse(row.doc) as ViewDocument);
  }

  override has(key: DocumentKey): boolean {
    return this.get(key) !== undefined;
  }

  override set(key: DocumentKey, document: ViewDocument): this {
    super.set(key, document);
    if (this.cachedCount() > this.cacheSize) this.flush();
    return this;
  }

  override delete(key: DocumentKey): boolean {
    const existed = this.get(key) !== undefined;
    super.delete(key);
    if (this.database !== undefined) this.statements.remove.run(key);
    return existed;
  }

  override clear(): void {
    super.clear();
    this.database?.exec('DELETE FROM docs; DELETE FROM seen;');
  }

  /** UniqueIndexedDocuments.findKeys over the file (the cache written to it first). */
  override findKeys(field: string, values: readonly (string | number)[], limit: number): DocumentKey[][] {
    const database = this.database;
    if (database === undefined) return super.findKeys(field, values, limit);
    this.flush();
    const statement = database.prepare<[string, string | number, number], { key: string }>(
      'SELECT key FROM docs WHERE json_extract(doc, ?) = ? ORDER BY key LIMIT ?',
    );
    const path = `$.${JSON.stringify(field)}`;
    return values.map((value) => statement.all(path, value, limit).map((row) => row.key));
  }

  /** How many documents the rebuild holds (cached and spilled). */
  get count(): number {
    this.flush();
    return this.database === undefined ? this.cachedCount() : this.statements.count.get()!.n;
  }

  /** The rebuilt documents for these keys (absent when there is none). */
  getMany(keys: readonly string[]): Map<string, JsonObject> {
    const found = new Map<string, JsonObject>();
    for (const key of keys) {
      const document = this.get(key);
      if (document !== undefined) found.set(key, document);
    }
    return found;
  }

  /** These keys were listed by the live view (`unseen` leaves them out). */
  markSeen(keys: readonly string[]): void {
    const database = this.database!;
    database.transaction(() => {
      for (const key of keys) this.statements.seen.run(key);
    })();
  }

  /** The rebuilt documents whose keys the live view did not list, a page at a time, in key order. */
  *unseen(pageSize: number): Generator<[string, JsonObject][]> {
    yield* this.pages(this.statements.unseen, pageSize);
  }

  /** Every rebuilt document, a page at a time, in key order. */
  *allPages(pageSize: number): Generator<[string, JsonObject][]> {
    yield* this.pages(this.statements.keys, pageSize);
  }

  /** Removes the temporary file. */
  close(): void {
    this.database?.close();
    this.database = undefined;
    if (this.folder !== undefined) rmSync(this.folder, { recursive: true, force: true });
    this.folder = undefined;
  }

  private *pages(
    statement: Database.Statement<[string, number], { key: string; doc: string }>,
    pageSize: number,
  ): Generator<[string, JsonObject][]> {
    this.flush();
    let after = '';
    for (;;) {
      const rows = statement.all(after, pageSize);
      if (rows.length > 0) yield rows.map((row) => [row.key, JSON.parse(row.doc) as JsonObject]);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.key;
    }
  }

  /** Writes the cached documents to the file and empties the cache (the unique indexes keep them). */
  private flush(): void {
    const database = this.database;
    if (database === undefined || this.cachedCount() === 0) return;
    database.transaction(() => {
      for (const [key, document] of Map.prototype.entries.call(this) as IterableIterator<
        [DocumentKey, ViewDocument]
      >)
        this.statements.put.run(key, JSON.stringify(document));
    })();
    Map.prototype.clear.call(this);
  }

  private cachedCount(): number {
    return (Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get as () => number).call(this);
  }
}
