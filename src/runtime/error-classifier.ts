/**
 * Tells failures apart by what retrying them would do:
 *  - transient: the store is briefly unavailable or a transaction lost a race; retry with backoff
 *    and keep the checkpoint (connection refused/reset, serialization failure, deadlock, pool timeout);
 *  - poison: this data will fail again on every retry (evaluation errors, constraint and data errors);
 *    the runner bisects the batch and parks the failing event;
 *  - unknown: anything else (a bug, a dropped table); retried a few times, then the projection fails
 *    while the others keep running.
 */
import { ProjectionEvaluationError } from '../core/plan';
import { EventStoreUnavailableError } from '../eventstore/event-store.errors';

export type ErrorClass = 'transient' | 'poison' | 'unknown';

/**
 * What a view store knows about its own errors (Target.classifyError): transient, poison, or undefined
 * when the error is not one it recognizes. The runtime stays free of any store's client library.
 */
export type StoreErrorClassifier = (error: unknown) => 'transient' | 'poison' | undefined;

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTCONN',
]);

const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (?:timeout|timed out)/i,
  /client has encountered a connection error/i,
  /Connection is closed/i,
  /terminating connection/i,
  /socket hang up/i,
];

/**
 * The class of a failure: the evaluation and event store errors Prism raises itself, then, for each error
 * of the cause chain, what the view store says (`byStore`), then network errors and messages any client
 * produces.
 */
export function classifyError(error: unknown, byStore?: StoreErrorClassifier): ErrorClass {
  if (error instanceof ProjectionEvaluationError) return 'poison';
  if (error instanceof EventStoreUnavailableError) return 'transient';
  for (const candidate of causes(error)) {
    const known = byStore?.(candidate);
    if (known !== undefined) return known;
    const code = (candidate as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) return 'transient';
    const message = candidate instanceof Error ? candidate.message : undefined;
    if (message !== undefined && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message)))
      return 'transient';
  }
  return 'unknown';
}

/** The error, the driver error TypeORM wraps, and the `cause` chain. */
function causes(error: unknown): unknown[] {
  const seen: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.includes(current) && seen.length < 5) {
    seen.push(current);
    const driverError = (current as { driverError?: unknown }).driverError;
    if (driverError !== undefined && !seen.includes(driverError)) seen.push(driverError);
    current = (current as { cause?: unknown }).cause;
  }
  return seen;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
