/**
 * Looks up the role of a presented API key without leaking, through timing, how much of it matched:
 * both sides are hashed to the same length and every configured key is compared with timingSafeEqual.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from './api-keys';
import { highestRole, type Role } from './roles';

interface HashedKey {
  readonly role: Role;
  readonly hash: Buffer;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export class ApiKeyring {
  private readonly hashed: readonly HashedKey[];

  constructor(keys: readonly ApiKey[]) {
    this.hashed = keys.map(({ role, key }) => ({ role, hash: sha256(key) }));
  }

  /** No keys configured: development mode. */
  get empty(): boolean {
    return this.hashed.length === 0;
  }

  /** The role of `presented`, or undefined for an unknown key. Compares against every key, always. */
  roleOf(presented: string): Role | undefined {
    const candidate = sha256(presented);
    let role: Role | undefined;
    for (const entry of this.hashed) {
      if (timingSafeEqual(candidate, entry.hash))
        role = role === undefined ? entry.role : highestRole(role, entry.role);
    }
    return role;
  }
}
