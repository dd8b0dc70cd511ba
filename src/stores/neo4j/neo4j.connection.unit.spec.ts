import { ConfigValidationError, loadConfig } from '../../config/app-config';
import type { Neo4jConnection } from './neo4j-connection';

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
  loadConfig(env).viewStores.neo4j as Neo4jConnection | undefined;

describe('Neo4j settings from the environment', () => {
  it('is configured by PRISM_NEO4J_URL only', () => {
    expect(settingsOf({})).toBeUndefined();
    expect(settingsOf({ PRISM_NEO4J_URL: 'bolt://127.0.0.1:7687' })).toEqual({
      url: 'bolt://127.0.0.1:7687',
    });
  });

  it('maps auth, the user defaulting to neo4j', () => {
    expect(settingsOf({ PRISM_NEO4J_URL: 'bolt://neo:7687', PRISM_NEO4J_PASSWORD: 'pw-2' })?.auth).toEqual({
      username: 'neo4j',
      password: 'pw-2',
    });
  });

  it('refuses contradictory or incomplete settings, naming each variable', () => {
    const error = problemsOf({
      PRISM_NEO4J_URL: 'bolt+s://neo:7687',
      PRISM_NEO4J_USERNAME: 'prism',
      PRISM_NEO4J_CA_FILE: __filename,
    });
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'PRISM_NEO4J_CA_FILE',
      'PRISM_NEO4J_CA_FILE',
      'PRISM_NEO4J_PASSWORD',
    ]);
    expect(error.message).toContain('use a bolt:// or neo4j:// URL with a CA file');
    expect(error.message).toContain('the file holds no PEM certificate');
  });

  it('never prints a password in its URL', () => {
    const error = problemsOf({ PRISM_NEO4J_URL: 'http://neo:secret@host:7474' });
    expect(error.message).toContain('http://neo:***@host:7474');
    expect(error.message).not.toContain('secret');
  });
});
