import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { eventStoreContract } from '../../../test/contract/event-store.contract';
import { EventStoreUnavailableError } from '../event-store.errors';
import { createEventStore } from '../event-store.factory';
import { createEmbeddedEventStore } from './embedded-event-store';

eventStoreContract('embedded (SQLite) event store contract', () =>
  createEventStore({ kind: 'embedded', file: ':memory:' }),
);

describe('embedded event store file', () => {
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'prism-embedded-'));
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('creates the missing parent directory, uses WAL, and keeps events and positions across reopening', async () => {
    const file = path.join(directory, 'nested', 'deeper', 'prism-events.db');
    const first = await createEventStore({ kind: 'embedded', file });
    const written = await first.append('order-1', [{ type: 'OrderPlaced', data: { total: 3 } }], 'no_stream');
    await first.close();

    const inspector = new Database(file, { readonly: true });
    expect(inspector.pragma('journal_mode', { simple: true })).toBe('wal');
    inspector.close();

    const reopened = createEmbeddedEventStore({ file });
    expect(await reopened.readStream('order-1')).toMatchObject([{ type: 'OrderPlaced', data: { total: 3 } }]);
    expect(await reopened.headPosition()).toBe(written.position);
    const next = await reopened.append('order-1', [{ type: 'OrderPaid', data: {} }], 0);
    expect(next.revision).toBe(1);
    expect(next.position).toBeGreaterThan(written.position);
    await reopened.close();
  });

  it('reports a file it cannot create as unavailable, naming the file and the fix', () => {
    const blocker = path.join(directory, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const file = path.join(blocker, 'events.db');
    expect(() => createEmbeddedEventStore({ file })).toThrow(EventStoreUnavailableError);
    expect(() => createEmbeddedEventStore({ file })).toThrow(
      /cannot open SQLite file .*a-file.*PRISM_DATA_DIR/,
    );
  });

  it('refuses calls after close with an unavailable error', async () => {
    const store = createEmbeddedEventStore({ file: ':memory:' });
    await store.close();
    await expect(store.append('s', [{ type: 'T', data: {} }], 'any')).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
  });
});
