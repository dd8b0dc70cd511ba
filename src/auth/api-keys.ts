/**
 * PRISM_API_KEYS: comma-separated `role:key` entries, e.g. `admin:s3cretkey,writer:w-key-123,reader:r-key-123`.
 * A role may have several keys (rotate by adding the new key, then removing the old one). Problems name
 * the entry by its number and never repeat a key, because start-up errors end up in logs.
 */
import { isRole, ROLES, type Role } from './roles';

export interface ApiKey {
  readonly role: Role;
  readonly key: string;
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
      problems.push(`${label} has no role (expected role:key)`);
      return;
    }
    const role = trimmed.slice(0, colon).trim();
    const key = trimmed.slice(colon + 1).trim();
    // An unknown role is not echoed either: a key written first (`key:admin`) would land there.
    if (!isRole(role)) {
      problems.push(`${label} has an unknown role (expected one of ${ROLES.join(', ')} before the colon)`);
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
    keys.push({ role, key });
  });
  return { keys, problems };
}

/** The value as it may be shown: roles kept, every key replaced by `***`. */
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
