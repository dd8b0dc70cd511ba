import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigValidationError, EMBEDDED_EVENT_STORE_FILE, loadConfig } from './app-config';
import { registerStoreModule } from '../stores/registry';
import type { StoreModule } from '../stores/store-module';
import { urlWithScheme } from './env-variable';
import { envVariables, secretVariables } from './env.schema';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';

function problemsOf(env: Record<string, string>): ConfigValidationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('uses loopback, port 3000 and the embedded store when nothing is set', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ port: 3000, host: '127.0.0.1', shutdownTimeoutMs: 25_000 });
    expect(config.eventStore).toEqual({
      kind: 'embedded',
      file: path.resolve('./data', EMBEDDED_EVENT_STORE_FILE),
    });
    expect(config.commands.idempotencyLeaseMs).toBe(30_000);
  });

  it('defaults to the postgres event store when PRISM_PG_URL is set', () => {
    const config = loadConfig({ PRISM_PG_URL: 'postgres://u@127.0.0.1:5432/db' });
    expect(config.eventStore).toEqual({
      kind: 'postgres',
      url: 'postgres://u@127.0.0.1:5432/db',
      schema: 'prism',
    });
  });

  it('lets PRISM_EVENT_STORE pick embedded even when PRISM_PG_URL is set', () => {
    const config = loadConfig({
      PRISM_EVENT_STORE: 'embedded',
      PRISM_PG_URL: 'postgresql://u@h/db',
      PRISM_DATA_DIR: '/tmp/prism',
    });
    expect(config.eventStore).toEqual({ kind: 'embedded', file: `/tmp/prism/${EMBEDDED_EVENT_STORE_FILE}` });
  });

  it('reads the KurrentDB connection string, the port and the host', () => {
    const config = loadConfig({
      PRISM_EVENT_STORE: 'kurrentdb',
      PRISM_ESDB_URL: 'kurrentdb://127.0.0.1:2113?tls=false',
      PORT: '8080',
      HOST: '0.0.0.0',
    });
    expect(config.eventStore).toEqual({
      kind: 'kurrentdb',
      connectionString: 'kurrentdb://127.0.0.1:2113?tls=false',
    });
    expect(config.http).toEqual({ port: 8080, host: '0.0.0.0', shutdownTimeoutMs: 25_000 });
  });

  describe('a store module registered at run time', () => {
    const testStore: StoreModule = {
      kind: 'test-store',
      title: 'Test store',
      capabilities: { transactional: false, readsState: true },
      checks: { outline: () => ({ settings: {}, members: {} }), entryFields: () => ({ comparison: {} }) },
      connection: {
        variables: {
          PRISM_TEST_STORE_URL: { schema: urlWithScheme(['http']).optional(), hint: 'a URL', secret: true },
        },
        configure: ({ raw, parsed, dataDir }) => {
          const url = parsed?.PRISM_TEST_STORE_URL as string | undefined;
          const problems =
            raw.PRISM_TEST_STORE_URL === 'http://refused'
              ? [{ variable: 'PRISM_TEST_STORE_URL', value: undefined, problem: 'refused' }]
              : [];
          return url === undefined ? { problems } : { settings: { url, dataDir }, problems };
        },
        describe: () => 'a test store',
        missingHint: 'set PRISM_TEST_STORE_URL',
        open: () => {
          throw new Error('not opened in this test');
        },
      },
      dsl: {
        schema: z.strictObject({ kind: z.literal('test-store') }),
        family: 'document',
        check: () => undefined,
        view: () => ({
          family: 'document',
          noun: 'field',
          owner: 'the test store',
          key: 'id',
          fields: new Map(),
          unknownCode: 'unknown-field',
          enforcesNotNull: false,
        }),
        shapeOf: (section) => ({ kind: section.kind }),
      },
    };
    let unregister: () => void;
    beforeAll(() => (unregister = registerStoreModule(testStore)));
    afterAll(() => unregister());

    it('adds its variables, reads its settings into viewStores, and leaves it out when unset', () => {
      expect(envVariables()).toHaveProperty('PRISM_TEST_STORE_URL');
      expect(secretVariables()).toContain('PRISM_TEST_STORE_URL');
      const config = loadConfig({ PRISM_TEST_STORE_URL: 'http://store', PRISM_DATA_DIR: '/tmp/prism' });
      expect(config.viewStores['test-store']).toEqual({ url: 'http://store', dataDir: '/tmp/prism' });
      expect(loadConfig({}).viewStores).not.toHaveProperty('test-store');
    });

    it("reports its problems with the core's, all at once, never printing its secrets", () => {
      const error = problemsOf({ PORT: 'abc', PRISM_TEST_STORE_URL: 'ftp://user:secret@host' });
      expect(error.problems.map((p) => p.variable).sort()).toEqual(['PORT', 'PRISM_TEST_STORE_URL']);
      expect(error.message).toContain('Set PRISM_TEST_STORE_URL to a URL.');
      expect(error.message).not.toContain('secret');
      expect(problemsOf({ PRISM_TEST_STORE_URL: 'http://refused' }).problems).toEqual([
        { variable: 'PRISM_TEST_STORE_URL', value: undefined, problem: 'refused' },
      ]);
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', PRISM_PG_URL: '' }).eventStore.kind).toBe('embedded');
  });

  it('lists every bad variable at once, each with how to fix it', () => {
    const error = problemsOf({
      PORT: 'abc',
      PRISM_EVENT_STORE: 'kurrentdb',
      PRISM_PG_URL: 'mysql://x',
      PRISM_PG_SCHEMA: 'Bad-Schema',
    });
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'PORT',
      'PRISM_ESDB_URL',
      'PRISM_PG_SCHEMA',
      'PRISM_PG_URL',
    ]);
    expect(error.message).toContain('4 environment variables are invalid');
    expect(error.message).toContain('PRISM_ESDB_URL (not set): required when PRISM_EVENT_STORE=kurrentdb');
    expect(error.message).toContain('Set PORT to the TCP port');
    expect(error.message).toContain('expected a URL starting with postgres:// or postgresql://');
  });

  it('names the allowed event store kinds', () => {
    expect(problemsOf({ PRISM_EVENT_STORE: 'mysql' }).message).toContain(
      'PRISM_EVENT_STORE="mysql": expected one of embedded, postgres, kurrentdb',
    );
  });

  it('requires PRISM_PG_URL for the postgres store and never prints passwords', () => {
    expect(problemsOf({ PRISM_EVENT_STORE: 'postgres' }).message).toContain(
      'PRISM_PG_URL (not set): required when PRISM_EVENT_STORE=postgres',
    );
    const error = problemsOf({ PRISM_ESDB_URL: 'http://neo:secret@host:7474' });
    expect(error.message).toContain('http://neo:***@host:7474');
    expect(error.message).not.toContain('secret');
  });

  it('rejects ports out of range', () => {
    expect(problemsOf({ PORT: '70000' }).problems).toEqual([
      { variable: 'PORT', value: '70000', problem: 'expected 0..65535' },
    ]);
  });
});

describe('secrets from files (<VAR>_FILE)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'prism-secrets-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a secret from the file named by <VAR>_FILE, without its trailing line break', () => {
    const file = path.join(dir, 'api-keys');
    writeFileSync(file, 'admin:0123456789abcdef\n');
    const config = loadConfig({ PRISM_API_KEYS_FILE: file });
    expect(config.auth.apiKeys).toHaveLength(1);
    expect(config.auth.apiKeys[0]?.role).toBe('admin');
  });

  it('reads a database URL with its password from a file', () => {
    const file = path.join(dir, 'pg-url');
    writeFileSync(file, 'postgres://prism:s3cret@db:5432/prism\r\n');
    expect(loadConfig({ PRISM_PG_URL_FILE: file }).eventStore).toMatchObject({
      url: 'postgres://prism:s3cret@db:5432/prism',
    });
  });

  it('names the variable and the path of an unreadable file, and stops the start', () => {
    const missing = path.join(dir, 'no-such-file');
    const error = problemsOf({ PRISM_API_KEYS_FILE: missing });
    expect(error.problems).toEqual([
      {
        variable: 'PRISM_API_KEYS',
        value: undefined,
        problem: `PRISM_API_KEYS_FILE=${missing} cannot be read (ENOENT)`,
      },
    ]);
  });

  it('refuses a secret given both inline and as a file', () => {
    const file = path.join(dir, 'keys-2');
    writeFileSync(file, 'admin:0123456789abcdef');
    expect(
      problemsOf({ PRISM_API_KEYS: 'admin:fedcba9876543210', PRISM_API_KEYS_FILE: file }).problems,
    ).toEqual([
      {
        variable: 'PRISM_API_KEYS',
        value: undefined,
        problem: 'both PRISM_API_KEYS and PRISM_API_KEYS_FILE are set; set only one',
      },
    ]);
  });

  it('never prints the content of a secret file that holds a bad value', () => {
    const file = path.join(dir, 'bad-keys');
    writeFileSync(file, 'superuser:0123456789abcdef');
    const error = problemsOf({ PRISM_API_KEYS_FILE: file });
    expect(error.message).toContain('PRISM_API_KEYS');
    expect(error.message).not.toContain('0123456789abcdef');
  });

  it('applies only to the variables marked secret', () => {
    expect(secretVariables()).toEqual(
      expect.arrayContaining(['PRISM_PG_URL', 'PRISM_ESDB_URL', 'PRISM_API_KEYS']),
    );
    const file = path.join(dir, 'port');
    writeFileSync(file, '4000');
    expect(loadConfig({ PORT_FILE: file }).http.port).toBe(3000);
  });
});

describe('the READMEs', () => {
  it('document every environment variable: the core in src/config, the table log and each store in its own folder', async () => {
    const readmes = [
      path.join(__dirname, 'README.md'),
      // The table log's PRISM_SQL_LOG_* variables, beside their explanation.
      path.join(__dirname, '../eventstore/sql-log/README.md'),
      ...readdirSync(path.join(__dirname, '../stores'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => path.join(__dirname, '../stores', entry.name, 'README.md'))
        .filter((file) => existsSync(file)),
    ];
    const documented: string[] = [];
    for (const file of readmes) {
      const readme = await readFile(file, 'utf8');
      documented.push(...[...readme.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]!));
    }
    expect(documented.sort()).toEqual(Object.keys(envVariables()).sort());
  });
});
