/**
 * The three roles an API key can hold. They are ordered: an admin key may do everything a writer key may,
 * and a writer key everything a reader key may.
 */
export type Role = 'admin' | 'writer' | 'reader';

/** All roles, lowest first. */
export const ROLES: readonly Role[] = ['reader', 'writer', 'admin'];

const RANK: Record<Role, number> = { reader: 0, writer: 1, admin: 2 };

export function isRole(value: string): value is Role {
  return Object.hasOwn(RANK, value);
}

/** True when a key holding `held` may use a route that requires `required` (admin ⊇ writer ⊇ reader). */
export function roleSatisfies(held: Role, required: Role): boolean {
  return RANK[held] >= RANK[required];
}

/** The higher of two roles (a key listed under several roles counts as the highest). */
export function highestRole(a: Role, b: Role): Role {
  return RANK[a] >= RANK[b] ? a : b;
}
