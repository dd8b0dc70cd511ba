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
import { classifyNeo4jError } from '../targets/neo4j/neo4j-error-classifier';

export type ErrorClass = 'transient' | 'poison' | 'unknown';

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

/** PostgreSQL SQLSTATEs worth retrying (besides class 08, connection exceptions). */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '58000', // system_error
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

/** Errors of @elastic/transport, told apart by name so the runtime does not import the client. */
const TRANSIENT_ELASTIC_ERRORS = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError']);
const TRANSIENT_HTTP_STATUSES = new Set([429, 502, 503, 504]);

function classifyElasticsearchError(error: unknown): ErrorClass | undefined {
  if (!(error instanceof Error)) return undefined;
  if (TRANSIENT_ELASTIC_ERRORS.has(error.name)) return 'transient';
  const status = (error as { statusCode?: unknown }).statusCode;
  if (error.name === 'ResponseError' && typeof status === 'number' && TRANSIENT_HTTP_STATUSES.has(status)) {
    return 'transient';
  }
  return undefined;
}

export function classifyError(error: unknown): ErrorClass {
  if (error instanceof ProjectionEvaluationError) return 'poison';
  if (error instanceof EventStoreUnavailableError) return 'transient';
  for (const candidate of causes(error)) {
    const byStore = classifyNeo4jError(candidate) ?? classifyElasticsearchError(candidate);
    if (byStore !== undefined) return byStore;
    const code = (candidate as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (TRANSIENT_NODE_CODES.has(code)) return 'transient';
      if (/^[0-9A-Z]{5}$/.test(code)) {
        if (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code)) return 'transient';
        // class 22: data exception (value too long, invalid input, overflow); class 23: integrity
        // constraint violation (NOT NULL, unique, check, foreign key).
        if (code.startsWith('22') || code.startsWith('23')) return 'poison';
      }
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY_'))
        return 'transient';
      if (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG') {
        return 'poison';
      }
    }
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
