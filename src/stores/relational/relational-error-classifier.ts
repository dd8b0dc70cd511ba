/**
 * How PostgreSQL and SQLite failures are classified for the runtime (src/runtime/error-classifier.ts
 * asks the target first, through Target.classifyError):
 *  - transient: connection exceptions (SQLSTATE class 08), serialization failures, deadlocks, lock
 *    timeouts, a server shutting down or out of connections; SQLite busy/locked;
 *  - poison: data exceptions (class 22: value too long, invalid input, overflow) and integrity constraint
 *    violations (class 23: NOT NULL, unique, check, foreign key); SQLite constraint/mismatch/too big;
 *  - undefined: not a database error this target recognizes (the runtime's generic rules decide).
 * TypeORM wraps driver errors: the runtime passes each error of the cause chain, `driverError` included.
 */
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

export function classifyRelationalError(error: unknown): 'transient' | 'poison' | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (/^[0-9A-Z]{5}$/.test(code)) {
    if (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code)) return 'transient';
    if (code.startsWith('22') || code.startsWith('23')) return 'poison';
    return undefined;
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY_'))
    return 'transient';
  if (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG') {
    return 'poison';
  }
  return undefined;
}
