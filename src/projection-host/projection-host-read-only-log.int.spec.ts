/**
 * Issue #14 (b): a projection host needs no write rights. The projection host (ProjectionsService) runs
 * here in a Nest container that holds only an EventLog: a read-only wrapper over the real PostgreSQL
 * store with no `append` at all, and no EVENT_STORE or EVENT_APPENDER token. Another writer (the full
 * store, standing in for another service) appends; the host projects those events into a real
 * relational view.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Global, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { PRISM_CONFIG } from '../nest/prism-config';
import { prismOptionsFromEnv } from '../nest/prism-options-from-env';
import { resolvePrismOptions } from '../nest/resolve-options';
import { EVENT_APPENDER, EVENT_LOG, EVENT_STORE } from '../eventstore/event-store.module';
import type { EventLog } from '../eventstore/event-store.port';
import {
  createPostgresEventStore,
  type PostgresEventStore,
} from '../eventstore/postgres/postgres-event-store';
import { ProjectionsModule } from './projections.module';
import { ProjectionsService } from './projections.service';
import { readView } from '../../test/runtime/support/runtime-stores';
import { describeWithStores, useTestDatabase } from '../../test/support/stores';

const DEFINITION = `
name: parcel_board
version: 1
source:
  events: [ParcelSent, ParcelDelivered]
target:
  kind: relational
  table: parcel_board
  key: parcel_id
  columns:
    parcel_id: { type: text }
    status: { type: text }
handlers:
  ParcelSent:
    - upsert: { key: event.data.parcelId, set: { status: '"sent"' } }
  ParcelDelivered:
    - update: { key: event.data.parcelId, set: { status: '"delivered"' } }
`;

/** Only the read side of `store`: the object has no append member to call, by accident or otherwise. */
function readOnly(store: EventLog): EventLog {
  return {
    kind: store.kind,
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: (filter) => store.headPosition(filter),
    close: () => store.close(),
  };
}

describeWithStores(['postgres'], 'projection host on a read-only EventLog', (urls) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-read-only-log-'));
  let writer: PostgresEventStore;
  let host: TestingModule;
  // Before the database's own afterAll (after-hooks run in the order they are declared): close, then drop.
  afterAll(async () => {
    await host?.close();
    await writer?.close();
    rmSync(directory, { recursive: true, force: true });
  });
  const database = useTestDatabase(() => urls.postgres);

  beforeAll(async () => {
    writeFileSync(path.join(directory, 'parcel-board.yaml'), DEFINITION);
    writer = createPostgresEventStore({ url: database.url });
    await writer.initialize();
    const log = readOnly(writer);

    const { eventStore: _settings, ...options } = prismOptionsFromEnv({
      PRISM_PG_URL: database.url,
      PRISM_PROJECTIONS_DIR: directory,
      PRISM_DATA_DIR: directory,
    });
    const config = resolvePrismOptions({ ...options, eventLog: log });

    @Global()
    @Module({
      providers: [
        { provide: EVENT_LOG, useValue: log },
        { provide: PRISM_CONFIG, useValue: config },
      ],
      exports: [EVENT_LOG, PRISM_CONFIG],
    })
    class ReadOnlyLogModule {}

    host = await Test.createTestingModule({ imports: [ReadOnlyLogModule, ProjectionsModule] }).compile();
    host.useLogger(false);
    await host.init();
  });

  it('has nothing to write with', () => {
    const log = host.get<EventLog>(EVENT_LOG);
    expect('append' in log).toBe(false);
    expect(() => host.get<unknown>(EVENT_APPENDER)).toThrow();
    expect(() => host.get<unknown>(EVENT_STORE)).toThrow();
  });

  it('projects what another writer appends', async () => {
    await writer.append('parcel-p1', [{ type: 'ParcelSent', data: { parcelId: 'p1' } }], 'no_stream');
    const runtime = await host.get(ProjectionsService).ready();
    const last = await writer.append('parcel-p1', [{ type: 'ParcelDelivered', data: { parcelId: 'p1' } }], 0);
    const live = await writer.append('parcel-p2', [{ type: 'ParcelSent', data: { parcelId: 'p2' } }], 'any');
    await runtime.waitForCheckpoint('parcel_board', live.position);
    expect(last.position).toBeLessThan(live.position);

    const target = host.get(ProjectionsService).target('relational')!;
    expect(await readView(target, 'parcel_board')).toEqual({
      p1: { parcel_id: 'p1', status: 'delivered' },
      p2: { parcel_id: 'p2', status: 'sent' },
    });
  });
});
