/**
 * Which pg failures mean "the store cannot be reached" (retry later, or fix the connection settings)
 * rather than a bug or a conflict, and how to say so without leaking the password from the URL.
 */
import { EventStoreUnavailableError } from '../event-store.errors';

/** Node socket errors that mean the server is not there (or went away). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * PostgreSQL SQLSTATEs for the same: class 08 (connection exception), 57P01-57P03 (server shutting down or
 * starting), 53300 (too many connections).
 */
function isUnavailableSqlState(code: string): boolean {
  return (
    code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300'
  );
}

/** pg's own messages for a dropped connection and for a pool that could not hand out a client in time. */
const MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /client was closed and is not queryable/i,
];

export function isUnavailable(error: unknown): boolean {
  // Duck-typed on purpose: errors from Node's net module may come from another realm (e.g. under Jest's
  // vm sandbox), where `instanceof Error` is false.
  if (error === null || typeof error !== 'object') return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || isUnavailableSqlState(code))) return true;
  if (Array.isArray(errors) && errors.some(isUnavailable)) return true;
  return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message));
}

/** host:port/database of a connection URL, never its credentials. */
export function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured server';
  }
}

export function unavailable(
  error: unknown,
  server: string,
  options: { outcomeUnknown?: boolean } = {},
): EventStoreUnavailableError {
  const code = (error as { code?: unknown }).code;
  const message = (error as { message?: unknown }).message;
  const detail = typeof message === 'string' && message !== '' ? message : String(code ?? error);
  const reason = `${typeof code === 'string' ? `${code}: ` : ''}${detail}`;
  if (options.outcomeUnknown === true) {
    return new EventStoreUnavailableError(
      'postgres',
      `the connection to PostgreSQL at ${server} was lost while the append committed (${reason}), so the ` +
        'events may or may not have been written; retry with the same Idempotency-Key (or event ids) to find out, ' +
        'a retry never writes them twice',
      { cause: error, outcomeUnknown: true },
    );
  }
  return new EventStoreUnavailableError(
    'postgres',
    `cannot reach PostgreSQL at ${server} (${reason}); ` +
      'check that the server is running and that PRISM_PG_URL points at it',
    { cause: error },
  );
}
