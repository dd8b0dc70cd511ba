/** Which KurrentDB client failures mean "the store cannot be reached", and the port's errors for them. */
import {
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../event-store.errors';
import type { ExpectedRevision } from '../event-store.port';
import { toActualRevision } from './kurrentdb-mapping';

/** gRPC status codes UNAVAILABLE (14) and DEADLINE_EXCEEDED (4), which some client paths throw unwrapped. */
const UNAVAILABLE_STATUS = new Set([4, 14]);
const UNAVAILABLE_MESSAGE =
  /failed to discover|no connection established|ECONNREFUSED|UNAVAILABLE|connection reset/i;

export function isUnavailable(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError
  ) {
    return true;
  }
  // Duck-typed: errors from gRPC and Node's net module may come from another realm (e.g. under Jest).
  if (error === null || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'number' && UNAVAILABLE_STATUS.has(code)) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message);
}

/** The port's error for a client failure; anything that is neither a conflict nor an outage passes through. */
export function translateKurrentError(
  error: unknown,
  server: string,
  append?: { readonly streamId: string; readonly expected: ExpectedRevision },
): unknown {
  if (append !== undefined && error instanceof WrongExpectedVersionError) {
    return new WrongExpectedRevisionError(
      append.streamId,
      append.expected,
      toActualRevision(error.actualState),
    );
  }
  if (isUnavailable(error)) {
    const message = (error as { message?: unknown }).message;
    const detail = typeof message === 'string' ? message : String(error);
    return new EventStoreUnavailableError(
      'kurrentdb',
      `cannot reach KurrentDB at ${server} (${detail}); check that the server is running and that ` +
        'PRISM_ESDB_URL points at it (e.g. kurrentdb://127.0.0.1:2113?tls=false)',
      { cause: error },
    );
  }
  return error;
}

/** host:port list of a connection string, never its credentials. */
export function describeServer(connectionString: string): string {
  const match = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]+)/i.exec(connectionString);
  return match?.[1] ?? 'the configured server';
}
