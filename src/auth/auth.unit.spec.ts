import { ConfigValidationError, loadConfig } from '../config/app-config';
import { ApiKeyring } from './api-keyring';
import { parseApiKeys, redactApiKeys } from './api-keys';
import { highestRole, roleSatisfies } from './roles';

const SECRET = 'sup3r-s3cret-admin-key';

function configError(env: Record<string, string>): ConfigValidationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('roles', () => {
  it('orders admin ⊇ writer ⊇ reader', () => {
    expect(roleSatisfies('admin', 'writer')).toBe(true);
    expect(roleSatisfies('admin', 'reader')).toBe(true);
    expect(roleSatisfies('writer', 'reader')).toBe(true);
    expect(roleSatisfies('writer', 'admin')).toBe(false);
    expect(roleSatisfies('reader', 'writer')).toBe(false);
    expect(highestRole('reader', 'admin')).toBe('admin');
  });
});

describe('PRISM_API_KEYS', () => {
  it('parses several keys per role, trimming spaces', () => {
    expect(
      parseApiKeys(` admin:${SECRET} , writer:writer-key-1,writer:writer-key-2,reader:reader-key`),
    ).toEqual({
      keys: [
        { role: 'admin', key: SECRET },
        { role: 'writer', key: 'writer-key-1' },
        { role: 'writer', key: 'writer-key-2' },
        { role: 'reader', key: 'reader-key' },
      ],
      problems: [],
    });
  });

  it('names every bad entry by number without repeating a key', () => {
    const { problems } = parseApiKeys(
      `admin:short,${SECRET}:admin,,nocolon-${SECRET},reader:${SECRET},writer:${SECRET}`,
    );
    expect(problems).toEqual([
      'entry 1 (admin) has a key of 5 character(s); keys need at least 8',
      'entry 2 has an unknown role (expected one of reader, writer, admin before the colon)',
      'entry 3 is empty (remove the extra comma)',
      'entry 4 has no role (expected role:key)',
      'entry 6 (writer) repeats a key already listed; every key must be different',
    ]);
    expect(problems.join('\n')).not.toContain(SECRET);
    expect(problems.join('\n')).not.toContain('short');
  });

  it('redacts every key, and unknown roles, when the value is shown', () => {
    expect(redactApiKeys(`admin:${SECRET},${SECRET}:x,plain`)).toBe('admin:***,?:***,?:***');
  });

  it('reaches AppConfig, with keys and the query auth mode', () => {
    const config = loadConfig({
      PRISM_API_KEYS: `admin:${SECRET},reader:reader-key`,
      PRISM_QUERY_AUTH: 'keyed',
    });
    expect(config.auth).toEqual({
      apiKeys: [
        { role: 'admin', key: SECRET },
        { role: 'reader', key: 'reader-key' },
      ],
      queryAuth: 'keyed',
    });
    expect(loadConfig({}).auth).toEqual({ apiKeys: [], queryAuth: 'public' });
  });

  it('fails the start with the bad entry named and the secret absent from the message and the problems', () => {
    const error = configError({ PRISM_API_KEYS: `admin:${SECRET},writer:tiny-${SECRET.slice(0, 2)}` });
    expect(error.message).toContain(
      'PRISM_API_KEYS="admin:***,writer:***": entry 2 (writer) has a key of 7 character(s)',
    );
    expect(error.message).toContain('Set PRISM_API_KEYS to comma-separated role:key entries');
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.problems)).not.toContain(SECRET);
    expect(JSON.stringify(error.problems)).not.toContain('tiny-');
  });

  it('rejects an unknown PRISM_QUERY_AUTH and keyed queries without keys', () => {
    expect(configError({ PRISM_QUERY_AUTH: 'private' }).message).toContain(
      'PRISM_QUERY_AUTH="private": expected one of public, keyed',
    );
    expect(configError({ PRISM_QUERY_AUTH: 'keyed' }).message).toContain(
      'PRISM_API_KEYS (not set): required when PRISM_QUERY_AUTH=keyed',
    );
  });
});

describe('ApiKeyring', () => {
  const keyring = new ApiKeyring([
    { role: 'writer', key: 'writer-key-1' },
    { role: 'admin', key: SECRET },
    { role: 'reader', key: 'reader-key' },
  ]);

  it('finds the role of a key and nothing for an unknown, shorter, longer or empty one', () => {
    expect(keyring.roleOf(SECRET)).toBe('admin');
    expect(keyring.roleOf('writer-key-1')).toBe('writer');
    expect(keyring.roleOf('reader-key')).toBe('reader');
    expect(keyring.roleOf(SECRET.slice(0, -1))).toBeUndefined();
    expect(keyring.roleOf(`${SECRET}x`)).toBeUndefined();
    expect(keyring.roleOf('')).toBeUndefined();
    expect(keyring.empty).toBe(false);
    expect(new ApiKeyring([]).empty).toBe(true);
  });
});
