/**
 * Issue #14, "A Nest module": the mount choices of a team's app (everything at the root by default, or
 * only the query API under the app's prefix and health under another, with Prism's own API-key guard),
 * projections from a folder and from the TypeScript builder, a read-only event log, and options that
 * fail the start naming the option. On SQLite files only: no server needed. Imports only the public
 * entry point, as a team's app would.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { NestFactory, RouterModule } from '@nestjs/core';
import request from 'supertest';
import { z } from 'zod';
import {
  AlreadyExistsError,
  createEventStore,
  defineAggregate,
  defineProjection,
  EVENT_APPENDER,
  EVENT_CATALOG,
  type EventAppender,
  type EventCatalog,
  type EventStore,
  PrismAggregatesModule,
  PrismHealthModule,
  PrismModule,
  PrismOptionsError,
  PrismQueryModule,
  ReadOnlyEventLogError,
  relational,
} from '@prism/platform';

const ADMIN_KEY = 'admin-key-for-mounts';
const READER_KEY = 'reader-key-for-mounts';
const API_KEYS = `admin:${ADMIN_KEY},reader:${READER_KEY}`;

interface NoteEvents {
  NoteWritten: { noteId: string; text: string };
}

/** A projection written with the TypeScript builder, run by the server like a file. */
const notes = defineProjection<NoteEvents>()({
  name: 'team_notes',
  version: 1,
  source: { events: ['NoteWritten'], streamPrefix: 'note-' },
  target: relational({
    table: 'team_notes',
    key: 'note_id',
    columns: { note_id: { type: 'text' }, text: { type: 'text' } },
  }),
}).on('NoteWritten', ({ event, upsert }) => [
  upsert({ key: event.data.noteId, set: { text: event.data.text } }),
]);

/** An aggregate of the app: `POST /notes` writes a note once. */
const note = defineAggregate({
  name: 'note',
  initialState: { written: false },
  events: { NoteWritten: { data: z.object({ noteId: z.string(), text: z.string() }) } },
  evolve: () => ({ written: true }),
  commands: {
    write: {
      creates: true,
      idField: 'noteId',
      payload: z.object({ noteId: z.string(), text: z.string().min(1) }),
      decide({ text }, state, { id }) {
        if (state.written) throw new AlreadyExistsError('note_exists', `Note ${id} is already written.`);
        return [{ type: 'NoteWritten', data: { noteId: id, text } }];
      },
    },
  },
});

/** An aggregate of one of the app's feature modules: `POST /tags`. */
const tag = defineAggregate({
  name: 'tag',
  initialState: {},
  events: { TagCreated: { data: z.object({ tagId: z.string() }) } },
  evolve: (state) => state,
  commands: {
    create: {
      creates: true,
      idField: 'tagId',
      payload: z.object({ tagId: z.string() }),
      decide: (_command, _state, { id }) => [{ type: 'TagCreated', data: { tagId: id } }],
    },
  },
});

const ROOT = path.join(__dirname, '..', '..');

describe('a team app choosing what to mount', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-mounts-'));
  const projections = path.join(directory, 'projections');
  mkdirSync(projections);
  copyFileSync(
    path.join(ROOT, 'projections', 'customer-directory.yaml'),
    path.join(projections, 'customers.yaml'),
  );
  let app: INestApplication | undefined;
  const http = () => request(app!.getHttpServer() as Parameters<typeof request>[0]);

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  async function start(
    prism: DynamicModule,
    ...imports: NonNullable<Parameters<typeof Module>[0]['imports']>
  ) {
    @Module({ imports: [prism, ...imports] })
    class TeamAppModule {}
    app = await NestFactory.create(TeamAppModule, { logger: false, abortOnError: false });
    await app.init();
    return app;
  }

  const files = (name: string) => ({
    eventStore: { kind: 'embedded' as const, file: path.join(directory, name, 'events.sqlite') },
    viewStores: { relational: { file: path.join(directory, name, 'views.sqlite') } },
  });

  it('mounts every API at the root by default, runs the folder and the builder definitions', async () => {
    await start(
      PrismModule.forRoot({
        ...files('all'),
        projections: { folder: projections, definitions: [notes] },
        auth: { apiKeys: API_KEYS },
      }),
    );
    const appender = app!.get<EventAppender>(EVENT_APPENDER);
    await appender.append(
      'customer-c1',
      [
        {
          type: 'CustomerRegistered',
          data: { customerId: 'c1', name: 'Ada', email: 'ada@example.com', city: 'Oslo' },
        },
      ],
      'no_stream',
    );
    const written = await appender.append(
      'note-n1',
      [{ type: 'NoteWritten', data: { noteId: 'n1', text: 'hello' } }],
      'no_stream',
    );
    const after = { after: written.position.toString(), wait: '10000' };
    expect((await http().get('/views/team_notes/n1').query(after).expect(200)).body).toEqual({
      note_id: 'n1',
      text: 'hello',
    });
    expect((await http().get('/views/customer_directory/c1').query(after).expect(200)).body).toMatchObject({
      name: 'Ada',
    });
    const status = await http()
      .get('/admin/projections')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .expect(200);
    expect(
      (status.body as { projections: { name: string }[] }).projections
        .map((projection) => projection.name)
        .sort(),
    ).toEqual(['customer_directory', 'team_notes']);
    // The console shows a builder definition as the definition that runs (it has no file).
    const definition = await http()
      .get('/admin/projections/team_notes/definition')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .expect(200);
    expect(definition.body).toMatchObject({
      file: null,
      source: null,
      running: expect.stringContaining('team_notes'),
    });
    await http().get('/admin/projections').expect(401);
    // The append route is mounted with the rest (a writer key needed: this app has none, so 401).
    await http()
      .post('/streams/note-n9/events')
      .send({ events: [{ type: 'NoteWritten', data: { noteId: 'n9', text: 'x' } }] })
      .expect(401);
    await http().get('/metrics').expect(200);
    await http().get('/health/ready').expect(200);
  });

  it('mounts only what the app imports, under its prefixes, behind Prism’s API keys', async () => {
    await start(
      PrismModule.forRoot({
        ...files('chosen'),
        projections: { definitions: [notes] },
        auth: { apiKeys: API_KEYS, queryAuth: 'keyed' },
        mount: false,
      }),
      PrismQueryModule,
      PrismHealthModule,
      RouterModule.register([
        { path: 'api/prism', module: PrismQueryModule },
        { path: 'ops', module: PrismHealthModule },
      ]),
    );
    const written = await app!
      .get<EventAppender>(EVENT_APPENDER)
      .append('note-n2', [{ type: 'NoteWritten', data: { noteId: 'n2', text: 'kept' } }], 'no_stream');
    const read = () =>
      http().get('/api/prism/views/team_notes/n2').query({ after: written.position.toString() });
    expect((await read().expect(401)).body).toMatchObject({ error: 'unauthorized', requiredRole: 'reader' });
    expect((await read().set('Authorization', `Bearer ${READER_KEY}`).expect(200)).body).toEqual({
      note_id: 'n2',
      text: 'kept',
    });
    await http().get('/ops/health/live').expect(200);
    for (const absent of [
      '/views/team_notes/n2',
      '/health/live',
      '/metrics',
      '/admin/projections',
      '/console',
    ])
      await http().get(absent).set('Authorization', `Bearer ${ADMIN_KEY}`).expect(404);
  });

  it('serves the app’s aggregates, from forRootAsync and from a feature module, in Prism’s error format', async () => {
    @Module({ imports: [PrismAggregatesModule.forFeature([tag])] })
    class TagsModule {}
    await start(
      PrismModule.forRootAsync({
        useFactory: () => ({
          ...files('aggregates'),
          projections: { definitions: [notes] },
        }),
        aggregates: [note],
      }),
      TagsModule,
    );
    const written = await http().post('/notes').send({ noteId: 'n7', text: 'from a command' }).expect(201);
    expect(written.body).toMatchObject({ id: 'n7', streamId: 'note-n7', revision: 0 });
    const view = await http()
      .get('/views/team_notes/n7')
      .query({ after: String(written.body.position), wait: '10000' })
      .expect(200);
    expect(view.body).toEqual({ note_id: 'n7', text: 'from a command' });
    // Domain errors, validation and the request checks, as on every Prism route; no app-wide filter here.
    expect(
      (await http().post('/notes').send({ noteId: 'n7', text: 'again' }).expect(409)).body,
    ).toMatchObject({
      error: 'note_exists',
    });
    expect((await http().post('/notes').send({ noteId: 'n8' }).expect(400)).body).toMatchObject({
      error: 'validation_failed',
    });
    await http().post('/notes').type('form').send('noteId=n9&text=x').expect(415);
    expect((await http().post('/tags').send({ tagId: 't1' }).expect(201)).body).toMatchObject({
      streamId: 'tag-t1',
    });
    // The feature module's events are in the app's event catalog with the root ones: typed for the
    // definitions, listed, and checked when appended through the streams API.
    const catalog = app!.get<EventCatalog>(EVENT_CATALOG, { strict: false });
    expect(catalog.has('TagCreated')).toBe(true);
    expect(catalog.has('NoteWritten')).toBe(true);
    const refused = await http()
      .post('/streams/tag-t2/events')
      .send({ events: [{ type: 'TagCreated', data: { tagId: 7 } }] })
      .expect(400);
    expect(JSON.stringify(refused.body)).toContain('events.0.data.tagId');
  });

  it('projects a log it may only read, refuses to append to it, and leaves it open', async () => {
    const log: EventStore = await createEventStore({
      kind: 'embedded',
      file: path.join(directory, 'foreign.sqlite'),
    });
    const written = await log.append(
      'note-n3',
      [{ type: 'NoteWritten', data: { noteId: 'n3', text: 'from elsewhere' } }],
      'no_stream',
    );
    await start(
      PrismModule.forRootAsync({
        useFactory: () => ({
          eventLog: { ...readOnlyView(log) },
          viewStores: { relational: { file: path.join(directory, 'foreign-views.sqlite') } },
          projections: { definitions: [notes] },
        }),
        // The routes are fixed before the factory runs: a read-only log says so beside it.
        http: { appendRoute: false },
      }),
    );
    const view = await http()
      .get('/views/team_notes/n3')
      .query({ after: written.position.toString(), wait: '10000' })
      .expect(200);
    expect(view.body).toEqual({ note_id: 'n3', text: 'from elsewhere' });
    await expect(
      app!.get<EventAppender>(EVENT_APPENDER).append('note-n4', [{ type: 'NoteWritten', data: {} }], 'any'),
    ).rejects.toBeInstanceOf(ReadOnlyEventLogError);
    await http()
      .post('/streams/note-n4/events')
      .send({ events: [{ type: 'NoteWritten', data: { noteId: 'n4', text: 'x' } }] })
      .expect(404);
    await app!.close();
    app = undefined;
    expect((await log.readStream('note-n3')).length).toBe(1);
    await log.close();
  });

  it('fails the start with a message naming each bad option', async () => {
    const failed = start(
      PrismModule.forRoot({
        eventStore: { kind: 'embedded', file: path.join(directory, 'bad', 'events.sqlite') },
        viewStores: { neo4j: { driver: 'bolt://localhost' as never } },
        projections: { files: [path.join(projections, 'missing.yaml')] },
      }),
    );
    await expect(failed).rejects.toBeInstanceOf(PrismOptionsError);
    await expect(failed).rejects.toThrow(
      /viewStores\.neo4j\.driver: expected a Neo4j Driver[\s\S]*projections\.files\[0\]: .*missing\.yaml is not a file/,
    );
    const fromFactory = start(
      PrismModule.forRootAsync({
        useFactory: () => ({ eventStore: { kind: 'embedded', file: ':memory:' }, mount: false }),
      }),
    );
    await expect(fromFactory).rejects.toThrow(/- mount: give `mount` to forRootAsync beside `useFactory`/);
    const aggregatesFromFactory = start(
      PrismModule.forRootAsync({
        useFactory: () => ({ eventStore: { kind: 'embedded', file: ':memory:' }, aggregates: [note] }),
      }),
    );
    await expect(aggregatesFromFactory).rejects.toThrow(
      /- aggregates: give `aggregates` to forRootAsync beside/,
    );
    const readOnlyWithAppends = start(
      PrismModule.forRootAsync({
        useFactory: () => ({ eventLog: unusedLog }),
      }),
    );
    await expect(readOnlyWithAppends).rejects.toThrow(
      /- http\.appendRoute: a read-only `eventLog` takes no appends/,
    );
  });
});

/** A log the failing start never reads. */
const unusedLog = {
  kind: 'unused',
  readStream: () => Promise.resolve([]),
  readAll: () => Promise.resolve([]),
  subscribeToAll: () => {
    throw new Error('not read');
  },
  headPosition: () => Promise.resolve(0n),
  close: () => Promise.resolve(),
};

/** The read side of a store, as a log another tool writes would be given: no `append`. */
function readOnlyView(store: EventStore) {
  return {
    kind: store.kind,
    readStream: store.readStream.bind(store),
    readAll: store.readAll.bind(store),
    subscribeToAll: store.subscribeToAll.bind(store),
    headPosition: store.headPosition.bind(store),
    close: store.close.bind(store),
  };
}
