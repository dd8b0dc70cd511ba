/**
 * The store-module seam (issue #13): a view store that lives only in this folder (kind `jsonfile`,
 * documents kept as one JSON file per generation) is registered at run time, and a projection runs
 * through it end to end in the whole app: its definition is validated by the store's own section (a wrong
 * field answered with file:line:col), events appended through the command API reach it, its own query
 * route reads a document, a rebuild swaps a new generation in with the same data, verify finds no
 * difference, plan lists a change by the store's outline, and /health/components lists the store.
 * Nothing under src/ names it.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { ProjectionStatusJson } from '../../src/admin/admin.dto';
import type { PlanReport } from '../../src/admin/checks/plan-definition';
import type { VerifyReport } from '../../src/admin/checks/verify-projection';
import { loadConfig } from '../../src/config/app-config';
import { formatDefinitionError } from '../../src/dsl/errors/definition-error';
import { checkDefinitionSource } from '../../src/dsl/loader/definition.loader';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { registerStoreModule } from '../../src/stores/registry';
import { jsonFileStore } from './jsonfile.store';

const ADMIN_KEY = 'admin-key-for-seam-e2e';
const WRITER_KEY = 'writer-key-for-seam-e2e';
const READER_KEY = 'reader-key-for-seam-e2e';
const NAME = 'seam_customers';

const DEFINITION = `name: ${NAME}
version: 1
source:
  events: [CustomerRegistered, CustomerRenamed]
target:
  kind: jsonfile
  collection: ${NAME}
  key: customer_id
  fields:
    customer_id: { type: string }
    name: { type: string }
    email: { type: string }
    city: { type: string, nullable: true }
handlers:
  CustomerRegistered:
    - upsert:
        key: event.data.customerId
        set:
          name: event.data.name
          email: event.data.email
          city: 'has(event.data.city) ? event.data.city : null'
  CustomerRenamed:
    - update:
        key: event.data.customerId
        set:
          name: event.data.name
`;

describe('a store module from outside src/ (jsonfile), end to end', () => {
  const unregister = registerStoreModule(jsonFileStore);
  const root = mkdtempSync(path.join(tmpdir(), 'prism-seam-'));
  const projectionsDir = path.join(root, 'projections');
  const viewsDir = path.join(root, 'jsonfile');
  let app: INestApplication;
  let projections: ProjectionsService;
  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);
  const admin = (method: 'get' | 'post', url: string) =>
    http()[method](`/admin/projections${url}`).set('Authorization', `Bearer ${ADMIN_KEY}`);

  afterAll(async () => {
    await app?.close();
    unregister();
    rmSync(root, { recursive: true, force: true });
  });

  it("validates the target section with the store's own schema and checks, with file:line:col", () => {
    expect(checkDefinitionSource(DEFINITION, 'projections/seam.yaml').problems).toEqual([]);
    const wrongType = DEFINITION.replace('city: { type: string, nullable: true }', 'city: { type: strng }');
    const problems = checkDefinitionSource(wrongType, 'projections/seam.yaml').problems;
    expect(problems.map(formatDefinitionError)).toEqual([
      'projections/seam.yaml:13:19 error invalid-value target.fields.city.type: "strng" is not allowed here; expected one of "string", "integer", "number", "boolean" or "timestamp" (did you mean "string"?)',
    ]);
    const keyNotAField = DEFINITION.replace('key: customer_id', 'key: id');
    const errors = checkDefinitionSource(keyNotAField, 'projections/seam.yaml').problems.filter(
      (problem) => problem.severity === 'error',
    );
    expect(errors.map(formatDefinitionError)).toEqual([
      expect.stringMatching(/^projections\/seam\.yaml:8:8 error key-not-declared target\.key: /),
    ]);
  });

  it('boots the app with the store configured by its own variable', async () => {
    await import('node:fs/promises').then((fs) => fs.mkdir(projectionsDir, { recursive: true }));
    writeFileSync(path.join(projectionsDir, 'seam-customers.yaml'), DEFINITION);
    const config = loadConfig({
      PRISM_PROJECTIONS_DIR: projectionsDir,
      PRISM_DATA_DIR: root,
      PRISM_JSONFILE_DIR: 'jsonfile',
      PRISM_API_KEYS: `admin:${ADMIN_KEY},writer:${WRITER_KEY},reader:${READER_KEY}`,
    });
    expect(config.viewStores.jsonfile).toEqual({ directory: viewsDir });
    app = await createPrismApp(config, { logger: false });
    await app.init();
    projections = app.get(ProjectionsService);
    await projections.ready();
  });

  async function register(customerId: string, name: string, city: string): Promise<bigint> {
    const response = await http()
      .post('/customers')
      .set('Authorization', `Bearer ${WRITER_KEY}`)
      .send({ customerId, name, email: `${customerId}@example.com`, city })
      .expect(201);
    return BigInt(response.body.position as string);
  }

  async function status(): Promise<ProjectionStatusJson> {
    return (await admin('get', `/${NAME}`).expect(200)).body as ProjectionStatusJson;
  }

  async function eventually(what: string, check: (s: ProjectionStatusJson) => boolean) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const current = await status();
      if (check(current)) return current;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting until ${what}: ${JSON.stringify(current)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const read = (key: string) =>
    http().get(`/views/${NAME}/documents/${key}`).set('Authorization', `Bearer ${READER_KEY}`);

  it('projects events appended through the command API, read through the store’s own route', async () => {
    await register('c-1', 'Ada', 'London');
    await register('c-2', 'Grace', 'Paris');
    const renamed = await http()
      .post('/customers/c-1/rename')
      .set('Authorization', `Bearer ${WRITER_KEY}`)
      .send({ name: 'Ada Lovelace' })
      .expect((response) => expect([200, 201, 202]).toContain(response.status));
    await projections.runtime.waitForCheckpoint(NAME, BigInt(renamed.body.position as string));
    const live = await eventually('live', (s) => s.state === 'live');
    expect(live.live).toMatchObject({ generation: 1, parked: 0 });

    expect((await read('c-1').expect(200)).body).toEqual({
      customer_id: 'c-1',
      name: 'Ada Lovelace',
      email: 'c-1@example.com',
      city: 'London',
    });
    expect((await read('c-2').expect(200)).body).toMatchObject({ name: 'Grace', city: 'Paris' });
    expect((await read('nobody').expect(404)).body).toMatchObject({ error: 'row_not_found' });
    expect(
      (
        await http()
          .get('/views/nothing/documents/c-1')
          .set('Authorization', `Bearer ${READER_KEY}`)
          .expect(404)
      ).body,
    ).toMatchObject({ error: 'unknown_view' });
    expect(readdirSync(path.join(viewsDir, NAME))).toEqual(['g1.json']);
  });

  it('rebuilds into a new generation and swaps it in with the same data', async () => {
    const before = (await read('c-1').expect(200)).body as unknown;
    const started = await admin('post', `/${NAME}/rebuild`).expect(202);
    expect(started.body.generation).toBe(2);
    await eventually('generation 2 is live', (s) => s.live?.generation === 2 && s.rebuild === null);
    expect((await read('c-1').expect(200)).body).toEqual(before);
    expect((await read('c-2').expect(200)).body).toMatchObject({ name: 'Grace' });
    await eventually('generation 1 is dropped', () => !existsSync(path.join(viewsDir, NAME, 'g1.json')));
    expect(readdirSync(path.join(viewsDir, NAME))).toEqual(['g2.json']);
  });

  it('verifies the live view against a rebuild in memory: no differences', async () => {
    const response = await http()
      .post(`/admin/projections/${NAME}/verify`)
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({})
      .expect(200);
    const report = response.body as VerifyReport;
    expect(report).toMatchObject({
      projection: NAME,
      generation: 2,
      liveEntries: 2,
      rebuiltEntries: 2,
      total: 0,
      counts: { onlyLive: 0, onlyRebuilt: 0, different: 0 },
      differences: [],
    });
  });

  it("plans a definition change with the store's own outline and entry diff", async () => {
    const changed = DEFINITION.replace('version: 1', 'version: 2')
      .replace(
        '    city: { type: string, nullable: true }',
        '    city: { type: string, nullable: true }\n    shout: { type: string }',
      )
      .replace(
        '          name: event.data.name\n          email',
        '          name: event.data.name\n          shout: \'event.data.name + "!"\'\n          email',
      );
    const response = await http()
      .post('/admin/plan')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .send({ definition: changed, filename: 'projections/seam-customers.yaml' })
      .expect(200);
    const report = response.body as PlanReport;
    expect(report).toMatchObject({ projection: NAME, action: 'rebuild', activeGeneration: 2 });
    expect(report.shapeChanges).toEqual([{ change: 'added', what: 'field shout', to: 'string' }]);
    expect(report.sample.counts).toMatchObject({ changed: 2, added: 0, removed: 0 });
  });

  it('lists the store in /health/components under the name its module declares', async () => {
    const response = await http().get('/health/components').expect(200);
    expect(response.body.stores).toMatchObject({ jsonfile_views: { status: 'up' } });
    expect(response.body.projections).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: NAME, status: 'up' })]),
    );
  });
});
