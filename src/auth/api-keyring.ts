/**
 * Finds who presented an API key (its role and name) without leaking, through timing, how much of it
 * matched: both sides are hashed to the same length and every configured key is compared with
 * timingSafeEqual.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { nameOfKey, type ApiKey } from './api-keys';
import { highestRole, type Role } from './roles';

/** The holder of a presented key, as the guard records it on the request. */
export interface KeyHolder {
  readonly role: Role;
  /** The key's name (its role's when unnamed): what events record as `metadata.userId`. */
  readonly name: string;
}

interface HashedKey extends KeyHolder {
  readonly hash: Buffer;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export class ApiKeyring {
  private readonly hashed: readonly HashedKey[];

  constructor(keys: readonly ApiKey[]) {
    this.hashed = keys.map((key) => ({ role: key.role, name: nameOfKey(key), hash: sha256(key.key) }));
  }

  /** No keys configured: development mode. */
  get empty(): boolean {
    return this.hashed.length === 0;
  }

  /**
   * Who holds `presented`, or undefined for an unknown key. Compares against every key, always. A key
   * given twice (parseApiKeys refuses that, a list built in code may not) counts as its highest role.
   */
  holderOf(presented: string): KeyHolder | undefined {
    const candidate = sha256(presented);
    let holder: KeyHolder | undefined;
    for (const entry of this.hashed) {
      if (!timingSafeEqual(candidate, entry.hash)) continue;
      if (holder === undefined || highestRole(holder.role, entry.role) !== holder.role)
        holder = { role: entry.role, name: entry.name };
    }
    return holder;
  }

  /** The role of `presented`, or undefined for an unknown key. */
  roleOf(presented: string): Role | undefined {
    return this.holderOf(presented)?.role;
  }
}
