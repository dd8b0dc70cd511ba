/**
 * Issue #14: bad options of the Nest module fail the start with one message naming every bad option
 * (`viewStores.elasticsearch.client`, `projections.files[0]`), never a key; good options, from code or
 * from the environment, resolve to what the providers read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineProjection } from '../dsl/builder/define-projection';
import { relational } from '../stores/relational/dsl/relational.builder';
import { prismOptionsFromEnv } from './prism-options-from-env';
import type { PrismOptions } from './prism-options';
import { PrismOptionsError, resolvePrismOptions } from './resolve-options';

const EMBEDDED = { kind: 'embedded', file: './data/events.sqlite' } as const;

function problemsOf(options: unknown, context = {}): Record<string, string> {
  try {
    resolvePrismOptions(options as PrismOptions, context);
  } catch (error) {
    if (!(error instanceof PrismOptionsError)) throw error;
    return Object.fromEntries(error.problems.map(({ option, problem }) => [option, problem]));
  }
  throw new Error('expected the options to be refused');
}

describe('resolvePrismOptions', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'prism-options-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('requires an event store, naming what to give', () => {
    expect(problemsOf({})).toEqual({ eventStore: expect.stringContaining('required') });
    expect(problemsOf({ eventStore: { kind: 'mongo' } })).toEqual({
      'eventStore.kind': expect.stringContaining('embedded, postgres, kurrentdb'),
    });
    expect(problemsOf({ eventStore: { kind: 'postgres', url: 'http://x' } })).toEqual({
      'eventStore.url': expect.stringContaining('postgres'),
    });
    const log = {
      kind: 'foreign',
      readStream() {},
      readAll() {},
      subscribeToAll() {},
      headPosition() {},
      close() {},
    };
    expect(problemsOf({ eventStore: log })).toEqual({ eventStore: expect.stringContaining('eventLog') });
    expect(problemsOf({ eventStore: { kind: 'sql-table', url: 'postgres://u@h/db' } })).toEqual({
      'eventStore.kind': expect.stringContaining('give it as `eventLog`'),
    });
    expect(problemsOf({ eventStore: EMBEDDED, eventLog: log })).toEqual({
      eventLog: 'give either `eventStore` or `eventLog`, not both',
    });
  });

  it('reports every bad option at once, each by its path, in one message', () => {
    let error: unknown;
    try {
      resolvePrismOptions({
        eventStore: EMBEDDED,
        viewStores: {
          relational: { pool: {}, url: 'postgres://x/y' } as never,
          elasticsearch: { client: { search: () => undefined } } as never,
          neo4j: { url: 'http://wrong:7687' },
          cassandra: { url: 'x' },
        },
        projections: {
          folder: path.join(folder, 'missing'),
          files: [path.join(folder, 'absent.yaml')],
          definitions: [42 as never],
        },
        runtime: { stallAfterMs: 5 },
        auth: { apiKeys: [{ role: 'admin', key: 'short' }], queryAuth: 'keyed' },
        extra: true,
      } as PrismOptions);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PrismOptionsError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Prism cannot start: \d+ options are invalid\./);
    for (const option of [
      'extra: unknown option',
      'runtime.stallAfterMs: expected 100..3600000',
      'viewStores.relational: give one of `pool`, `url`, `file`, not `pool` and `url`',
      'viewStores.elasticsearch.client: expected an Elasticsearch Client',
      'viewStores.neo4j.url:',
      'viewStores.cassandra: no view store of this kind',
      'projections.folder:',
      'projections.files[0]:',
      'projections.definitions[0]: expected a defineProjection(...) builder',
      'auth.apiKeys[0].key: expected a key of at least 8 characters',
    ])
      expect(message).toContain(`  - ${option}`);
    // A key is never echoed, even a bad one.
    expect(message).not.toContain('short');
  });

  it('checks the PRISM_API_KEYS text form with the same rules, and keyed queries need keys', () => {
    expect(problemsOf({ eventStore: EMBEDDED, auth: { apiKeys: 'admin:' } })).toEqual({
      'auth.apiKeys': expect.stringContaining('entry 1 (admin) has a key of 0 character(s)'),
    });
    expect(problemsOf({ eventStore: EMBEDDED, auth: { queryAuth: 'keyed' } })).toEqual({
      'auth.apiKeys': "required when auth.queryAuth is 'keyed'",
    });
    expect(
      problemsOf({
        eventStore: EMBEDDED,
        auth: { apiKeys: [{ role: 'writer', key: 'billing-key-1', name: 'a b' }] },
      }),
    ).toEqual({ 'auth.apiKeys[0].name': expect.stringContaining('letters, digits') });
    const named = resolvePrismOptions({
      eventStore: EMBEDDED,
      auth: { apiKeys: [{ role: 'writer', key: 'billing-key-1', name: 'billing' }] },
    });
    expect(named.auth).toEqual({
      apiKeys: [{ role: 'writer', key: 'billing-key-1', name: 'billing' }],
      queryAuth: 'public',
    });
  });

  it('refuses `mount` and `http` from forRootAsync’s factory: the routes are fixed before it runs', () => {
    expect(problemsOf({ eventStore: EMBEDDED, mount: false }, { fromFactory: true })).toEqual({
      mount: expect.stringContaining('beside `useFactory`'),
    });
    expect(problemsOf({ eventStore: EMBEDDED, http: { appendRoute: false } }, { fromFactory: true })).toEqual(
      {
        http: expect.stringContaining('beside `useFactory`'),
      },
    );
    expect(() => resolvePrismOptions({ eventStore: EMBEDDED, mount: false })).not.toThrow();
  });

  it('resolves instances, settings, sources and defaults', () => {
    const file = path.join(folder, 'a.yaml');
    writeFileSync(file, 'name: a\n');
    const builder = defineProjection<{ Opened: { id: string } }>()({
      name: 'opened',
      version: 1,
      source: { events: ['Opened'] },
      target: relational({ table: 'opened', key: 'id', columns: { id: { type: 'text' } } }),
    }).on('Opened', ({ event, upsert }) => [upsert({ key: event.data.id, set: {} })]);
    const config = resolvePrismOptions({
      eventStore: EMBEDDED,
      viewStores: { postgres: { url: 'postgres://u@h/db' } },
      projections: { folder, files: [file], definitions: [builder, builder.toWritten()] },
      auth: false,
    });
    expect(config.events).toEqual({
      kind: 'settings',
      settings: { kind: 'embedded', file: path.resolve(EMBEDDED.file) },
    });
    // An alias (`postgres`) reaches its store's kind; the store's defaults apply.
    expect(config.viewStores).toEqual({
      relational: { kind: 'postgres', url: 'postgres://u@h/db', schema: 'prism' },
    });
    expect(config.projections.paths).toEqual([folder, file]);
    expect(config.projections.definitions).toEqual([
      { origin: '<definition opened>', value: builder.toWritten() },
      { origin: '<definition opened>', value: builder.toWritten() },
    ]);
    expect(config.projections.stallAfterMs).toBe(30_000);
    expect(config.queries.readWaitMaxMs).toBe(10_000);
    expect(config.auth).toBe(false);
  });

  it('reads a table another tool writes (PRISM_EVENT_STORE=sql-table) as a read-only log', () => {
    const options = prismOptionsFromEnv({
      PRISM_DATA_DIR: folder,
      PRISM_PROJECTIONS_DIR: folder,
      PRISM_EVENT_STORE: 'sql-table',
      PRISM_PG_URL: 'postgres://u@h/db',
      PRISM_SQL_LOG_TABLE: 'public.outbox',
      PRISM_SQL_LOG_POSITION_COLUMN: 'id',
      PRISM_SQL_LOG_STREAM_COLUMN: 'aggregate_id',
      PRISM_SQL_LOG_TYPE_COLUMN: 'event_type',
      PRISM_SQL_LOG_DATA_COLUMN: 'payload',
    });
    expect(options.eventStore).toBeUndefined();
    expect(options.eventLog).toMatchObject({ kind: 'sql-table', url: 'postgres://u@h/db' });
    expect(resolvePrismOptions(options).events).toMatchObject({
      kind: 'settings',
      settings: { kind: 'sql-table' },
    });
  });

  it('resolves what prismOptionsFromEnv reads from the environment', () => {
    const config = resolvePrismOptions(
      prismOptionsFromEnv({
        PRISM_DATA_DIR: folder,
        PRISM_PROJECTIONS_DIR: folder,
        PRISM_ES_URL: 'http://127.0.0.1:9200',
        PRISM_API_KEYS: 'admin:admin-key-1,reader:reader-key-1',
        PRISM_QUERY_AUTH: 'keyed',
        PRISM_STALL_AFTER_MS: '1000',
      }),
    );
    expect(config.events).toEqual({
      kind: 'settings',
      settings: { kind: 'embedded', file: path.join(folder, 'prism-events.sqlite') },
    });
    expect(config.viewStores).toEqual({
      relational: { kind: 'sqlite', file: path.join(folder, 'prism-views.sqlite') },
      elasticsearch: { url: 'http://127.0.0.1:9200', refresh: false },
    });
    expect(config.auth).toEqual({
      apiKeys: [
        { role: 'admin', key: 'admin-key-1' },
        { role: 'reader', key: 'reader-key-1' },
      ],
      queryAuth: 'keyed',
    });
    expect(config.projections).toMatchObject({ paths: [folder], definitions: [], stallAfterMs: 1000 });
  });
});
