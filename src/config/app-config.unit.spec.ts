import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigValidationError, EMBEDDED_EVENT_STORE_FILE, loadConfig } from './app-config';
import { ENV_VARIABLES } from './env.schema';

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
    expect(config.http).toEqual({ port: 3000, host: '127.0.0.1' });
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
    expect(config.http).toEqual({ port: 8080, host: '0.0.0.0' });
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

describe('src/config/README.md', () => {
  it('documents every environment variable', async () => {
    const readme = await readFile(path.join(__dirname, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(ENV_VARIABLES).sort());
  });
});
