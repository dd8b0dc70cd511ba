/**
 * The last resort for a failure that no code path handled: what the process does with an uncaught
 * exception or an unhandled promise rejection (issue #12 item 11).
 *
 * The policy, and why:
 *  - Every store client handles its own failures (an 'error' listener on each pg client and on the LISTEN
 *    connection, rejected promises for the Elasticsearch, Neo4j and KurrentDB clients). So nothing should
 *    ever reach this net; the store-connection-reset e2e test fails if anything does.
 *  - If a store connection failure still escapes (a socket reset or refused, pg's "Connection terminated",
 *    Neo4j's ServiceUnavailable/SessionExpired, an Elasticsearch ConnectionError), it is logged as a bug and
 *    Prism keeps serving: such an error comes from a client that its library has already marked broken and
 *    that the pool replaces, Prism's own state lives in the stores and their checkpoints, and exiting would
 *    turn one store's blip into an outage of every API (commands, other views, health).
 *  - Anything else is a programming error whose consequences are unknown: logged with its stack, and the
 *    process exits with code 1 so that the supervisor (Docker, systemd, Kubernetes) restarts it from the
 *    stores' durable state. That is Node's own default, kept on purpose.
 */
import type { EventEmitter } from 'node:events';

export interface SafetyNetLogger {
  error(message: string): void;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
]);
const DRIVER_CODES = new Set(['ServiceUnavailable', 'SessionExpired']);
const DRIVER_NAMES = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError']);
const MESSAGES = [/connection terminated/i, /client has encountered a connection error/i, /socket hang up/i];

/** True for the failures a store client raises when its connection is refused, reset or lost. */
export function isStoreConnectionFailure(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || DRIVER_CODES.has(code))) return true;
  if (typeof name === 'string' && DRIVER_NAMES.has(name)) return true;
  return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Installs the policy on `processLike` (the real `process` in main.ts; an EventEmitter in tests).
 * `exit` is called for a programming error.
 */
export function installProcessSafetyNet(
  logger: SafetyNetLogger,
  processLike: Pick<EventEmitter, 'on'> = process,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const handle = (what: string, error: unknown): void => {
    if (isStoreConnectionFailure(error)) {
      logger.error(
        `A store connection failure escaped its handler (${what}; a bug in Prism, please report it); ` +
          `Prism keeps serving and retries: ${describe(error)}`,
      );
      return;
    }
    logger.error(`Prism stops on an ${what} (a bug; the supervisor restarts it): ${stackOf(error)}`);
    exit(1);
  };
  processLike.on('uncaughtException', (error: Error) => handle('uncaught exception', error));
  processLike.on('unhandledRejection', (reason: unknown) => handle('unhandled promise rejection', reason));
}

function describe(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : String(error)}`;
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
