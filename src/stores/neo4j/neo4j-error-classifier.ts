/**
 * How Neo4j failures should be classified by the runtime (src/runtime/error-classifier.ts decides; this
 * is the Neo4j part it can delegate to). The driver already retries transient errors inside managed
 * transactions for `maxRetryMs`; what still reaches the runner is:
 *  - transient: `Neo.TransientError.*` (deadlocks, lock timeouts, leader switches), the driver's
 *    `ServiceUnavailable` / `SessionExpired`, a lost leader (`NotALeader`), an expired auth token;
 *  - poison: a value the store rejects for this data (a uniqueness constraint, a type or argument error);
 *  - undefined: not a Neo4j error, or one that is neither (a syntax error is a bug: `unknown`).
 */
import { Neo4jError } from 'neo4j-driver';

const TRANSIENT_CODES = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'Neo.ClientError.Cluster.NotALeader',
  'Neo.ClientError.General.ForbiddenOnReadOnlyDatabase',
  'Neo.ClientError.Security.AuthorizationExpired',
]);

const POISON_CODES = new Set([
  'Neo.ClientError.Schema.ConstraintValidationFailed',
  'Neo.ClientError.Statement.TypeError',
  'Neo.ClientError.Statement.ArgumentError',
  'Neo.ClientError.Statement.ArithmeticError',
]);

export function classifyNeo4jError(error: unknown): 'transient' | 'poison' | undefined {
  if (!(error instanceof Neo4jError)) return undefined;
  const code = error.code;
  if (code.startsWith('Neo.TransientError.') || TRANSIENT_CODES.has(code) || error.retriable)
    return 'transient';
  if (POISON_CODES.has(code)) return 'poison';
  return undefined;
}
