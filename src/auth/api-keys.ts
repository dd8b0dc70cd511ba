/**
 * PRISM_API_KEYS: comma-separated `role:key` or `role:name:key` entries, e.g.
 * `admin:s3cretkey,writer:billing:w-key-123,reader:r-key-123`. The name says who holds the key: it is
 * recorded as `metadata.userId` on every event appended with it; an unnamed key's name is its role.
 * A role may have several keys (rotate by adding the new key, then removing the old one); several keys
 * may share a name (the same service's old and new key). An entry with two colons or more is
 * `role:name:key` (the key is everything after the second colon). Problems name the entry by its number
 * and never repeat a key, nor a name (a key written in the name's place would be one), because start-up
 * errors end up in logs.
 */
import { isRole, ROLES, type Role } from './roles';

export interface ApiKey {
  readonly role: Role;
  readonly key: string;
  /** Who holds the key (API_KEY_NAME_PATTERN); absent means the role's name. */
  readonly name?: string;
}

/**
 * A key's name: 1-64 letters, digits, `.`, `_`, `-` or `@`, starting with a letter or a digit. It lands
 * in every event the key writes, so it is kept to characters that need no escaping anywhere.
 */
export const API_KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** The name events record for a key: its own, else its role's. */
export function nameOfKey(key: ApiKey): string {
  return key.name ?? key.role;
}

export type QueryAuthMode = 'public' | 'keyed';
export const QUERY_AUTH_MODES: readonly QueryAuthMode[] = ['public', 'keyed'];

export const MIN_API_KEY_LENGTH = 8;

export interface ParsedApiKeys {
  readonly keys: readonly ApiKey[];
  /** One sentence per bad entry, free of secrets. */
  readonly problems: readonly string[];
}

export function parseApiKeys(raw: string): ParsedApiKeys {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  raw.split(',').forEach((entry, index) => {
    const label = `entry ${index + 1}`;
    const trimmed = entry.trim();
    if (trimmed === '') {
      problems.push(`${label} is empty (remove the extra comma)`);
      return;
    }
    const colon = trimmed.indexOf(':');
    if (colon < 0) {
      problems.push(`${label} has no role (expected role:key or role:name:key)`);
      return;
    }
    const role = trimmed.slice(0, colon).trim();
    const rest = trimmed.slice(colon + 1);
    const second = rest.indexOf(':');
    const name = second < 0 ? undefined : rest.slice(0, second).trim();
    const key = (second < 0 ? rest : rest.slice(second + 1)).trim();
    // An unknown role is not echoed either: a key written first (`key:admin`) would land there.
    if (!isRole(role)) {
      problems.push(`${label} has an unknown role (expected one of ${ROLES.join(', ')} before the colon)`);
      return;
    }
    // Nor is a bad name: `role:key:name` puts the key there.
    if (name !== undefined && !API_KEY_NAME_PATTERN.test(name)) {
      problems.push(
        `${label} (${role}) has a name that is not 1-64 letters, digits, . _ - or @ starting with a letter ` +
          'or digit (expected role:name:key)',
      );
      return;
    }
    if (key.length < MIN_API_KEY_LENGTH) {
      problems.push(
        `${label} (${role}) has a key of ${key.length} character(s); keys need at least ${MIN_API_KEY_LENGTH}`,
      );
      return;
    }
    if (/\s/.test(key)) {
      problems.push(`${label} (${role}) has a key containing whitespace`);
      return;
    }
    if (seen.has(key)) {
      problems.push(`${label} (${role}) repeats a key already listed; every key must be different`);
      return;
    }
    seen.add(key);
    keys.push(name === undefined ? { role, key } : { role, name, key });
  });
  return { keys, problems };
}

/**
 * The value as it may be shown: roles kept, every key replaced by `***`. Names are left out too: a name
 * is not a secret, but a key written in a name's place would be.
 */
export function redactApiKeys(raw: string): string {
  return raw
    .split(',')
    .map((entry) => {
      const colon = entry.indexOf(':');
      const role = colon < 0 ? '' : entry.slice(0, colon).trim();
      return `${isRole(role) ? role : '?'}:***`;
    })
    .join(',');
}
