import { ConfigValidationError, describeEventStore, loadConfig } from '../../config/app-config';

const OUTBOX_ENV = {
  PRISM_EVENT_STORE: 'sql-table',
  PRISM_PG_URL: 'postgres://prism:secret@127.0.0.1:5432/shop',
  PRISM_SQL_LOG_TABLE: 'public.outbox',
  PRISM_SQL_LOG_POSITION_COLUMN: 'id',
  PRISM_SQL_LOG_STREAM_COLUMN: 'aggregate_id',
  PRISM_SQL_LOG_TYPE_COLUMN: 'event_type',
  PRISM_SQL_LOG_DATA_COLUMN: 'payload',
};

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.message;
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}

describe('PRISM_EVENT_STORE=sql-table', () => {
  it('reads the mapping, with writer-locks and PRISM_PG_URL by default', () => {
    const config = loadConfig({ ...OUTBOX_ENV, PRISM_SQL_LOG_TIMESTAMP_COLUMN: 'occurred_at' });
    expect(config.eventStore).toEqual({
      kind: 'sql-table',
      url: 'postgres://prism:secret@127.0.0.1:5432/shop',
      mapping: {
        table: 'public.outbox',
        position: 'id',
        streamId: 'aggregate_id',
        type: 'event_type',
        data: 'payload',
        timestamp: 'occurred_at',
      },
      gapSafety: { mode: 'writer-locks' },
      pollIntervalMs: 250,
    });
    expect(describeEventStore(config.eventStore)).toBe(
      'sql-table, read-only (postgres://prism:***@127.0.0.1:5432/shop, table public.outbox, gap safety writer-locks)',
    );
  });

  it('takes its own URL, every optional column, a view’s writer tables or a delay', () => {
    const config = loadConfig({
      ...OUTBOX_ENV,
      PRISM_SQL_LOG_URL: 'postgresql://reader@db/events',
      PRISM_SQL_LOG_TABLE: 'Foreign.Messages',
      PRISM_SQL_LOG_METADATA_COLUMN: 'headers',
      PRISM_SQL_LOG_EVENT_ID_COLUMN: 'message_id',
      PRISM_SQL_LOG_REVISION_COLUMN: 'version',
      PRISM_SQL_LOG_FIRST_REVISION: '1',
      PRISM_SQL_LOG_WRITER_TABLES: 'public.outbox, audit.outbox',
      PRISM_SQL_LOG_POLL_INTERVAL_MS: '100',
    });
    expect(config.eventStore).toMatchObject({
      url: 'postgresql://reader@db/events',
      mapping: {
        table: 'Foreign.Messages',
        metadata: 'headers',
        eventId: 'message_id',
        revision: 'version',
        firstRevision: 1,
      },
      gapSafety: { mode: 'writer-locks', writerTables: ['public.outbox', 'audit.outbox'] },
      pollIntervalMs: 100,
    });
    expect(
      loadConfig({ ...OUTBOX_ENV, PRISM_SQL_LOG_GAP_SAFETY: 'delay', PRISM_SQL_LOG_DELAY_MS: '5000' })
        .eventStore,
    ).toMatchObject({ gapSafety: { mode: 'delay', delayMs: 5000 } });
  });

  it('names every missing variable at once', () => {
    const message = failure({ PRISM_EVENT_STORE: 'sql-table', PRISM_SQL_LOG_GAP_SAFETY: 'delay' });
    for (const variable of [
      'PRISM_SQL_LOG_TABLE',
      'PRISM_SQL_LOG_POSITION_COLUMN',
      'PRISM_SQL_LOG_STREAM_COLUMN',
      'PRISM_SQL_LOG_TYPE_COLUMN',
      'PRISM_SQL_LOG_DATA_COLUMN',
    ]) {
      expect(message).toContain(`${variable} (not set): required when PRISM_EVENT_STORE=sql-table`);
    }
    expect(message).toContain(
      'PRISM_SQL_LOG_URL (not set): required when PRISM_EVENT_STORE=sql-table (or set PRISM_PG_URL)',
    );
    expect(message).toContain(
      'PRISM_SQL_LOG_DELAY_MS (not set): required when PRISM_SQL_LOG_GAP_SAFETY=delay',
    );
  });

  it('refuses names that are not SQL names, and settings of another mode, with the fix', () => {
    const message = failure({
      ...OUTBOX_ENV,
      PRISM_SQL_LOG_TABLE: 'outbox; DROP TABLE users',
      PRISM_SQL_LOG_DATA_COLUMN: 'payload"',
      PRISM_SQL_LOG_GAP_SAFETY: 'xmin',
      PRISM_SQL_LOG_DELAY_MS: '100',
      PRISM_SQL_LOG_FIRST_REVISION: '1',
    });
    expect(message).toContain(
      'PRISM_SQL_LOG_TABLE="outbox; DROP TABLE users": expected table or schema.table',
    );
    expect(message).toContain(
      'Set PRISM_SQL_LOG_TABLE to the table or view another tool writes the events to',
    );
    expect(message).toContain('PRISM_SQL_LOG_DATA_COLUMN="payload\\"": expected a column name');
    expect(message).toContain(
      'PRISM_SQL_LOG_GAP_SAFETY="xmin": expected one of writer-locks, delay, commit-ordered',
    );
    expect(message).toContain(
      'PRISM_SQL_LOG_FIRST_REVISION="1": only used with PRISM_SQL_LOG_REVISION_COLUMN; remove it',
    );
  });

  it('never prints the password of PRISM_SQL_LOG_URL', () => {
    const message = failure({
      ...OUTBOX_ENV,
      PRISM_SQL_LOG_URL: 'postgres://reader:hunter2@db/x',
      PRISM_SQL_LOG_TABLE: '',
      PRISM_SQL_LOG_DELAY_MS: 'x',
    });
    expect(message).not.toContain('hunter2');
  });
});
