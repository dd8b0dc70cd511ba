import { ConfigValidationError, loadConfig } from '../config/app-config';
import { ApiKeyring } from './api-keyring';
import { nameOfKey, parseApiKeys, redactApiKeys } from './api-keys';
import { requestUserNameOf } from './request-user';
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
      'entry 4 has no role (expected role:key or role:name:key)',
      'entry 6 (writer) repeats a key already listed; every key must be different',
    ]);
    expect(problems.join('\n')).not.toContain(SECRET);
    expect(problems.join('\n')).not.toContain('short');
  });

  it('redacts every key, and unknown roles, when the value is shown', () => {
    expect(redactApiKeys(`admin:${SECRET},${SECRET}:x,plain`)).toBe('admin:***,?:***,?:***');
  });

  it('reads role:name:key entries beside role:key ones; an unnamed key is named after its role', () => {
    const { keys, problems } = parseApiKeys(
      `writer:billing-service:w-key-0001, writer:billing-service:w-key-0002,reader:r-key-0001,` +
        `admin:ops@example.com:key:with:colons`,
    );
    expect(problems).toEqual([]);
    expect(keys).toEqual([
      { role: 'writer', name: 'billing-service', key: 'w-key-0001' },
      { role: 'writer', name: 'billing-service', key: 'w-key-0002' },
      { role: 'reader', key: 'r-key-0001' },
      { role: 'admin', name: 'ops@example.com', key: 'key:with:colons' },
    ]);
    expect(keys.map(nameOfKey)).toEqual(['billing-service', 'billing-service', 'reader', 'ops@example.com']);
    expect(redactApiKeys('writer:billing:w-key-0001,reader:r-key-0001')).toBe('writer:***,reader:***');
  });

  it('refuses a name outside the pattern without echoing it (it may be a key written in its place)', () => {
    const swapped = `writer:${SECRET}!:billing-service`;
    const { keys, problems } = parseApiKeys(
      `${swapped},writer::w-key-0001,reader:-dash:r-key-0001,reader:${'n'.repeat(65)}:r-key-0002,writer:ok:short`,
    );
    expect(keys).toEqual([]);
    const badName =
      'has a name that is not 1-64 letters, digits, . _ - or @ starting with a letter or digit (expected role:name:key)';
    expect(problems).toEqual([
      `entry 1 (writer) ${badName}`,
      `entry 2 (writer) ${badName}`,
      `entry 3 (reader) ${badName}`,
      `entry 4 (reader) ${badName}`,
      'entry 5 (writer) has a key of 5 character(s); keys need at least 8',
    ]);
    expect(problems.join('\n')).not.toContain(SECRET);
    expect(problems.join('\n')).not.toContain('-dash');
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
    expect(error.message).toContain(
      'Set PRISM_API_KEYS to comma-separated role:key or role:name:key entries',
    );
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

  it('tells who holds a key: its name, or its role for an unnamed key; a key listed twice counts as its highest role', () => {
    const named = new ApiKeyring([
      { role: 'writer', name: 'billing', key: 'billing-key-1' },
      { role: 'reader', key: 'reader-key' },
      { role: 'reader', name: 'twice', key: 'twice-key-1' },
      { role: 'admin', name: 'twice-admin', key: 'twice-key-1' },
    ]);
    expect(named.holderOf('billing-key-1')).toEqual({ role: 'writer', name: 'billing' });
    expect(named.holderOf('reader-key')).toEqual({ role: 'reader', name: 'reader' });
    expect(named.holderOf('twice-key-1')).toEqual({ role: 'admin', name: 'twice-admin' });
    expect(named.holderOf('billing-key-2')).toBeUndefined();
  });
});

describe('request user', () => {
  it("reads the name Prism's guard records, else the id a host's own guard set", () => {
    expect(requestUserNameOf({ user: { name: 'billing', role: 'writer' } })).toBe('billing');
    expect(requestUserNameOf({ user: { id: 'u-42', sub: 'x' } })).toBe('u-42');
    expect(requestUserNameOf({ user: { id: 42 } })).toBeUndefined();
    expect(requestUserNameOf({})).toBeUndefined();
  });
});
