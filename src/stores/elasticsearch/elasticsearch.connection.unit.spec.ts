import { ConfigValidationError, loadConfig } from '../../config/app-config';
import type { ElasticsearchConnection } from './elasticsearch-connection';
import type { ElasticsearchSettings } from './elasticsearch.connection';

function problemsOf(env: Record<string, string>): ConfigValidationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}

const settingsOf = (env: Record<string, string>) =>
  loadConfig(env).viewStores.elasticsearch as
    (ElasticsearchSettings & Partial<ElasticsearchConnection>) | undefined;

describe('Elasticsearch settings from the environment', () => {
  it('is configured by PRISM_ES_URL only', () => {
    expect(settingsOf({})).toBeUndefined();
    expect(settingsOf({ PRISM_ES_URL: 'http://127.0.0.1:9200' })).toEqual({
      url: 'http://127.0.0.1:9200',
      refresh: false,
    });
  });

  it('maps PRISM_ES_REFRESH to the bulk refresh policy', () => {
    const base = { PRISM_ES_URL: 'http://127.0.0.1:9200' };
    expect(settingsOf({ ...base, PRISM_ES_REFRESH: 'wait_for' })?.refresh).toBe('wait_for');
    expect(settingsOf({ ...base, PRISM_ES_REFRESH: 'true' })?.refresh).toBe(true);
    expect(() => loadConfig({ ...base, PRISM_ES_REFRESH: 'sometimes' })).toThrow(/PRISM_ES_REFRESH/);
  });

  it('maps basic auth', () => {
    expect(
      settingsOf({ PRISM_ES_URL: 'https://es:9200', PRISM_ES_USERNAME: 'prism', PRISM_ES_PASSWORD: 'pw-1' })
        ?.auth,
    ).toEqual({ username: 'prism', password: 'pw-1' });
  });

  it('refuses contradictory or incomplete credentials, naming each variable', () => {
    const error = problemsOf({
      PRISM_ES_URL: 'https://es:9200',
      PRISM_ES_API_KEY: 'key',
      PRISM_ES_USERNAME: 'prism',
    });
    expect(error.problems.map((p) => p.variable).sort()).toEqual(['PRISM_ES_API_KEY', 'PRISM_ES_PASSWORD']);
  });

  it('stops the start when a CA file cannot be read', () => {
    expect(
      problemsOf({ PRISM_ES_URL: 'https://es:9200', PRISM_ES_CA_FILE: '/no/such/ca.pem' }).problems,
    ).toEqual([
      { variable: 'PRISM_ES_CA_FILE', value: '/no/such/ca.pem', problem: 'cannot be read (ENOENT)' },
    ]);
  });

  it('never prints its secrets', () => {
    const error = problemsOf({
      PRISM_ES_URL: 'https://es:9200',
      PRISM_ES_API_KEY: 'key',
      PRISM_ES_USERNAME: 'u',
    });
    expect(error.message).not.toContain('key"');
  });
});
