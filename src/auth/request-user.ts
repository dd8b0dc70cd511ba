/**
 * Who sent a request, as the API-key guard records it on the request (`request.user`, where Nest and
 * Passport-style guards put it). request-context.ts reads it into the CommandContext, so its name becomes
 * `metadata.userId` of every event the request appends.
 */
import type { Role } from './roles';

export interface RequestUser {
  /** The key's name (`role:name:key`), or its role for an unnamed key; ANONYMOUS_USER without keys. */
  readonly name: string;
  /** The role of the key sent; absent for the anonymous user of development mode. */
  readonly role?: Role;
}

/**
 * The user of development mode (no PRISM_API_KEYS): nobody is identified, and events say so rather than
 * leave `userId` out, so a projection that reads `event.metadata.userId` works the same with and without
 * keys.
 */
export const ANONYMOUS_USER: RequestUser = Object.freeze({ name: 'anonymous' });

export function setRequestUser(request: object, user: RequestUser): void {
  (request as { user?: RequestUser }).user = user;
}

/**
 * The name of the request's user: ours (`name`), or the `id` a host's own guard set when Prism's API-key
 * guard is not used. Undefined when no guard identified anyone.
 */
export function requestUserNameOf(request: object): string | undefined {
  const user = (request as { user?: { name?: unknown; id?: unknown } }).user;
  if (typeof user?.name === 'string') return user.name;
  return typeof user?.id === 'string' ? user.id : undefined;
}
