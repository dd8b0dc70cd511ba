import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigValidationError, EMBEDDED_EVENT_STORE_FILE, loadConfig } from './app-config';
import { ENV_VARIABLES, SECRET_VARIABLES } from './env.schema';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';

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
    expect(config.postgres).toBeUndefined();
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

  it('lets PRISM_EVENT_STORE pick embedded even when PostgreSQL is configured for projections', () => {
    const config = loadConfig({
      PRISM_EVENT_STORE: 'embedded',
      PRISM_PG_URL: 'postgresql://u@h/db',
      PRISM_DATA_DIR: '/tmp/prism',
    });
    expect(config.eventStore).toEqual({ kind: 'embedded', file: `/tmp/prism/${EMBEDDED_EVENT_STORE_FILE}` });
    expect(config.postgres).toEqual({ url: 'postgresql://u@h/db', schema: 'prism' });
  });

  it('maps PRISM_ES_REFRESH to the bulk refresh policy', () => {
    const base = { PRISM_ES_URL: 'http://127.0.0.1:9200' };
    expect(loadConfig({ ...base, PRISM_ES_REFRESH: 'wait_for' }).elasticsearch?.refresh).toBe('wait_for');
    expect(loadConfig({ ...base, PRISM_ES_REFRESH: 'true' }).elasticsearch?.refresh).toBe(true);
    expect(() => loadConfig({ ...base, PRISM_ES_REFRESH: 'sometimes' })).toThrow(/PRISM_ES_REFRESH/);
  });

  it('reads the KurrentDB connection string and the read-side URLs', () => {
    const config = loadConfig({
      PRISM_EVENT_STORE: 'kurrentdb',
      PRISM_ESDB_URL: 'kurrentdb://127.0.0.1:2113?tls=false',
      PRISM_ES_URL: 'http://127.0.0.1:9200',
      PRISM_NEO4J_URL: 'bolt://127.0.0.1:7687',
      PORT: '8080',
      HOST: '0.0.0.0',
    });
    expect(config.eventStore).toEqual({
      kind: 'kurrentdb',
      connectionString: 'kurrentdb://127.0.0.1:2113?tls=false',
    });
    expect(config.elasticsearch).toEqual({ url: 'http://127.0.0.1:9200', refresh: false });
    expect(config.neo4j).toEqual({ url: 'bolt://127.0.0.1:7687' });
    expect(config.http).toEqual({ port: 8080, host: '0.0.0.0', shutdownTimeoutMs: 25_000 });
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
    const error = problemsOf({ PRISM_NEO4J_URL: 'http://neo:secret@host:7474' });
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
    expect(loadConfig({ PRISM_PG_URL_FILE: file }).postgres?.url).toBe(
      'postgres://prism:s3cret@db:5432/prism',
    );
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
    expect(SECRET_VARIABLES).toEqual(
      expect.arrayContaining(['PRISM_PG_URL', 'PRISM_ESDB_URL', 'PRISM_API_KEYS']),
    );
    const file = path.join(dir, 'port');
    writeFileSync(file, '4000');
    expect(loadConfig({ PORT_FILE: file }).http.port).toBe(3000);
  });
});

describe('store credentials and TLS', () => {
  it('maps Elasticsearch basic auth, Neo4j auth (default user neo4j) and the Neo4j CA file', () => {
    const config = loadConfig({
      PRISM_ES_URL: 'https://es:9200',
      PRISM_ES_USERNAME: 'prism',
      PRISM_ES_PASSWORD: 'pw-1',
      PRISM_NEO4J_URL: 'bolt://neo:7687',
      PRISM_NEO4J_PASSWORD: 'pw-2',
    });
    expect(config.elasticsearch?.auth).toEqual({ username: 'prism', password: 'pw-1' });
    expect(config.neo4j?.auth).toEqual({ username: 'neo4j', password: 'pw-2' });
  });

  it('refuses contradictory or incomplete store credentials, naming each variable', () => {
    const error = problemsOf({
      PRISM_ES_URL: 'https://es:9200',
      PRISM_ES_API_KEY: 'key',
      PRISM_ES_USERNAME: 'prism',
      PRISM_NEO4J_URL: 'bolt+s://neo:7687',
      PRISM_NEO4J_USERNAME: 'prism',
      PRISM_NEO4J_CA_FILE: __filename,
    });
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'PRISM_ES_API_KEY',
      'PRISM_ES_PASSWORD',
      'PRISM_NEO4J_CA_FILE',
      'PRISM_NEO4J_CA_FILE',
      'PRISM_NEO4J_PASSWORD',
    ]);
    expect(error.message).toContain('use a bolt:// or neo4j:// URL with a CA file');
    expect(error.message).toContain('the file holds no PEM certificate');
  });

  it('stops the start when a CA file cannot be read', () => {
    expect(
      problemsOf({ PRISM_ES_URL: 'https://es:9200', PRISM_ES_CA_FILE: '/no/such/ca.pem' }).problems,
    ).toEqual([
      { variable: 'PRISM_ES_CA_FILE', value: '/no/such/ca.pem', problem: 'cannot be read (ENOENT)' },
    ]);
  });
});

describe('src/config/README.md', () => {
  it('documents every environment variable', async () => {
    const readme = await readFile(path.join(__dirname, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(ENV_VARIABLES).sort());
  });
});
