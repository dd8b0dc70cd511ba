/**
 * API keys over real HTTP on the real app (PostgreSQL event store and views, Elasticsearch for the search
 * API): every role allowed and refused on a command, a query and an admin route, in keyed and public
 * query modes and in development mode (no keys), who wrote each event (the key's name in
 * `metadata.userId`), and no key ever in a log line or a response.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication, LoggerService } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../config/app-config';
import { EVENT_LOG } from '../eventstore/event-store.module';
import type { EventLog } from '../eventstore/event-store.port';
import { createPrismApp } from '../main';
import { ProjectionsService } from '../projection-host/projections.service';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../test/support/stores';

const KEYS = {
  admin: 'admin-key-e2e-0123456789',
  writer: 'writer-key-e2e-0123456789',
  reader: 'reader-key-e2e-0123456789',
  billing: 'billing-key-e2e-0123456789',
} as const;
const API_KEYS = `admin:${KEYS.admin},writer:${KEYS.writer},reader:${KEYS.reader},writer:billing-service:${KEYS.billing}`;
const UNKNOWN_KEY = 'not-a-configured-key-42';

type Who = 'none' | 'unknown' | keyof typeof KEYS;

/** Every log line of the app, as text. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => this.lines.push(`log ${args.map(String).join(' ')}`);
  error = (...args: unknown[]) => this.lines.push(`error ${args.map(String).join(' ')}`);
  warn = (...args: unknown[]) => this.lines.push(`warn ${args.map(String).join(' ')}`);
  debug = (...args: unknown[]) => this.lines.push(`debug ${args.map(String).join(' ')}`);
  verbose = (...args: unknown[]) => this.lines.push(`verbose ${args.map(String).join(' ')}`);
  fatal = (...args: unknown[]) => this.lines.push(`fatal ${args.map(String).join(' ')}`);
}

interface TestApp {
  app: INestApplication;
  logger: CapturingLogger;
  close(): Promise<void>;
}

async function startApp(env: Record<string, string>): Promise<TestApp> {
  const projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-auth-'));
  fs.copyFileSync(
    path.join(__dirname, '../../projections/customer-directory.yaml'),
    path.join(projectionsDir, 'customer-directory.yaml'),
  );
  const logger = new CapturingLogger();
  const app = await createPrismApp(loadConfig({ ...env, PRISM_PROJECTIONS_DIR: projectionsDir }), { logger });
  await app.init();
  await app.get(ProjectionsService).ready();
  return {
    app,
    logger,
    close: async () => {
      await app.close();
      fs.rmSync(projectionsDir, { recursive: true, force: true });
    },
  };
}

function send(app: INestApplication, method: 'get' | 'post', url: string, who: Who, header = 'bearer') {
  const call = request(app.getHttpServer() as Parameters<typeof request>[0])[method](url);
  if (who === 'none') return call;
  const key = who === 'unknown' ? UNKNOWN_KEY : KEYS[who];
  return header === 'bearer' ? call.set('Authorization', `Bearer ${key}`) : call.set('X-API-Key', key);
}

const registerCustomer = (app: INestApplication, who: Who, header?: string) => {
  const customerId = uniqueTestName('c').replace(/_/g, '-');
  return send(app, 'post', '/customers', who, header).send({
    customerId,
    name: 'Ada',
    email: `${customerId}@example.com`,
    city: 'London',
  });
};

/** `metadata.userId` of the event a successful registerCustomer appended. */
async function writerOf(app: INestApplication, response: request.Response): Promise<string | undefined> {
  const [event] = await app.get<EventLog>(EVENT_LOG).readStream(response.body.streamId as string);
  return event?.metadata.userId;
}

/** A search of a view that does not exist: 404 from the search API itself once the caller is let in. */
const QUERY_ROUTE = '/views/no_such_view/search';
const ADMIN_ROUTE = '/admin/projections';

function expectNoSecrets(text: string): void {
  for (const key of [...Object.values(KEYS), UNKNOWN_KEY]) expect(text).not.toContain(key);
}

describeWithStores(['postgres', 'elasticsearch'], 'API keys (HTTP)', (urls) => {
  describe('keys set, PRISM_QUERY_AUTH=keyed', () => {
    const database = useTestDatabase(() => urls.postgres);
    let prism: TestApp;
    const bodies: string[] = [];

    beforeAll(async () => {
      prism = await startApp({
        PRISM_PG_URL: database.url,
        PRISM_ES_URL: urls.elasticsearch,
        PRISM_API_KEYS: API_KEYS,
        PRISM_QUERY_AUTH: 'keyed',
      });
    });
    afterAll(async () => prism?.close());

    async function expectRefused(
      response: request.Response,
      status: 401 | 403,
      requiredRole: string,
    ): Promise<void> {
      bodies.push(JSON.stringify(response.body), JSON.stringify(response.headers));
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({
        error: status === 401 ? 'unauthorized' : 'forbidden',
        requiredRole,
      });
      expect(response.body.message).toContain(`the ${requiredRole} role`);
      if (status === 401) expect(response.headers['www-authenticate']).toBe('Bearer');
    }

    it('command route: writer and admin keys write, no key or an unknown key is 401, a reader key is 403', async () => {
      await expectRefused(await registerCustomer(prism.app, 'none'), 401, 'writer');
      await expectRefused(await registerCustomer(prism.app, 'unknown'), 401, 'writer');
      await expectRefused(await registerCustomer(prism.app, 'reader'), 403, 'writer');
      await registerCustomer(prism.app, 'writer').expect(201);
      await registerCustomer(prism.app, 'admin').expect(201);
      await registerCustomer(prism.app, 'writer', 'x-api-key').expect(201);
    });

    it("records who wrote each event: the key's name, or its role for an unnamed key", async () => {
      const byName = await registerCustomer(prism.app, 'billing').expect(201);
      const byRole = await registerCustomer(prism.app, 'writer', 'x-api-key').expect(201);
      const byAdmin = await registerCustomer(prism.app, 'admin').expect(201);
      expect(await writerOf(prism.app, byName)).toBe('billing-service');
      expect(await writerOf(prism.app, byRole)).toBe('writer');
      expect(await writerOf(prism.app, byAdmin)).toBe('admin');
    });

    it('query route: every role reads, no key or an unknown key is 401', async () => {
      await expectRefused(await send(prism.app, 'get', QUERY_ROUTE, 'none'), 401, 'reader');
      await expectRefused(await send(prism.app, 'get', QUERY_ROUTE, 'unknown', 'x-api-key'), 401, 'reader');
      for (const who of ['reader', 'writer', 'admin'] as const) {
        const response = await send(prism.app, 'get', QUERY_ROUTE, who).expect(404);
        expect(response.body.error).toBe('unknown_view');
      }
    });

    it('admin route: only the admin key, 403 naming the admin role for the others', async () => {
      await expectRefused(await send(prism.app, 'get', ADMIN_ROUTE, 'none'), 401, 'admin');
      await expectRefused(await send(prism.app, 'get', ADMIN_ROUTE, 'unknown'), 401, 'admin');
      await expectRefused(await send(prism.app, 'get', ADMIN_ROUTE, 'reader'), 403, 'admin');
      await expectRefused(
        await send(prism.app, 'post', `${ADMIN_ROUTE}/customer_directory/pause`, 'writer'),
        403,
        'admin',
      );
      const response = await send(prism.app, 'get', ADMIN_ROUTE, 'admin', 'x-api-key').expect(200);
      const listed = response.body as { projections: { name: string; state: string }[] };
      // Views other suites left in the shared test stores are listed as orphaned; this app defines one.
      const defined = listed.projections.filter((p) => p.state !== 'orphaned');
      expect(defined.map((p) => p.name)).toEqual(['customer_directory']);
    });

    it('leaves routes without a role open (API docs)', async () => {
      await send(prism.app, 'get', '/docs-json', 'none').expect(200);
    });

    it('never writes a key into a log line or a response', () => {
      const log = prism.logger.lines.join('\n');
      expect(log).toContain('POST /customers -> 401: the API key is not valid');
      expect(log).toContain('GET /admin/projections -> 403: a reader key, admin needed');
      expect(bodies.length).toBeGreaterThan(10);
      expectNoSecrets(log);
      expectNoSecrets(bodies.join('\n'));
    });
  });

  describe('keys set, PRISM_QUERY_AUTH=public (the default)', () => {
    const database = useTestDatabase(() => urls.postgres);
    let prism: TestApp;
    beforeAll(async () => {
      prism = await startApp({
        PRISM_PG_URL: database.url,
        PRISM_ES_URL: urls.elasticsearch,
        PRISM_API_KEYS: API_KEYS,
      });
    });
    afterAll(async () => prism?.close());

    it('serves queries without a key but still guards commands and the admin API', async () => {
      const query = await send(prism.app, 'get', QUERY_ROUTE, 'none').expect(404);
      expect(query.body.error).toBe('unknown_view');
      await send(prism.app, 'get', QUERY_ROUTE, 'unknown').expect(404);
      await registerCustomer(prism.app, 'none').expect(401);
      await registerCustomer(prism.app, 'reader').expect(403);
      await registerCustomer(prism.app, 'writer').expect(201);
      await send(prism.app, 'get', ADMIN_ROUTE, 'writer').expect(403);
      await send(prism.app, 'get', ADMIN_ROUTE, 'admin').expect(200);
    });

    it('logs no development-mode warning', () => {
      expect(prism.logger.lines.join('\n')).not.toContain('development mode');
    });
  });

  describe('no PRISM_API_KEYS (development mode)', () => {
    const database = useTestDatabase(() => urls.postgres);
    let prism: TestApp;
    beforeAll(async () => {
      prism = await startApp({ PRISM_PG_URL: database.url, PRISM_ES_URL: urls.elasticsearch });
    });
    afterAll(async () => prism?.close());

    it('opens commands and queries, with or without a key, and records the writer as anonymous', async () => {
      const withoutKey = await registerCustomer(prism.app, 'none').expect(201);
      const withKey = await registerCustomer(prism.app, 'unknown').expect(201);
      await send(prism.app, 'get', QUERY_ROUTE, 'none').expect(404);
      expect(await writerOf(prism.app, withoutKey)).toBe('anonymous');
      expect(await writerOf(prism.app, withKey)).toBe('anonymous');
    });

    it('refuses the admin API with 403 saying it needs PRISM_API_KEYS with an admin key', async () => {
      for (const who of ['none', 'admin'] as const) {
        const response = await send(prism.app, 'get', ADMIN_ROUTE, who).expect(403);
        expect(response.body).toMatchObject({ error: 'admin_api_disabled', requiredRole: 'admin' });
        expect(response.body.message).toContain('set PRISM_API_KEYS with an admin key');
      }
    });

    it('warns once at start, saying how to set keys', () => {
      const warnings = prism.logger.lines.filter((line) => line.includes('development mode'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^warn PRISM_API_KEYS is not set: development mode/);
      expect(warnings[0]).toContain('Set PRISM_API_KEYS=admin:<key>,writer:<key>,reader:<key>');
    });
  });
});
