/**
 * Builds a command's CommandContext from an HTTP request: correlation id, command id, user, expected
 * revision (body `expectedRevision` or If-Match) and the Idempotency-Key with a fingerprint of the request.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { HttpRequest } from './http.types';
import { requestUserNameOf } from '../auth/request-user';
import type { CommandContext } from '../commands/command-context';
import { InvalidIdempotencyKeyError } from '../commands/idempotency/idempotency.errors';
import { requestTraceOf } from '../observability/tracing/request-trace';
import { ConflictingExpectedRevisionError, InvalidIfMatchError } from './request.errors';

export const CORRELATION_ID_HEADER = 'X-Correlation-Id';
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

const SAFE_TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;
const correlationIds = new WeakMap<HttpRequest, string>();

/** The request's correlation id: the client's X-Correlation-Id when it is a safe token, else a new UUID. */
export function correlationIdOf(request: HttpRequest): string {
  let id = correlationIds.get(request);
  if (id === undefined) {
    const given = request.header(CORRELATION_ID_HEADER);
    // An unusable header (too long, odd characters) is replaced, not rejected: tracing must never fail a write.
    id = given !== undefined && SAFE_TOKEN.test(given) ? given : randomUUID();
    correlationIds.set(request, id);
  }
  return id;
}

export function commandContextOf(request: HttpRequest): CommandContext {
  const expectedRevision = expectedRevisionOf(request);
  const key = request.header(IDEMPOTENCY_KEY_HEADER);
  if (key !== undefined && !SAFE_TOKEN.test(key)) throw new InvalidIdempotencyKeyError(key);
  const userId = requestUserNameOf(request);
  const trace = requestTraceOf(request);
  return {
    commandId: randomUUID(),
    correlationId: correlationIdOf(request),
    ...(trace !== undefined && { trace }),
    ...(userId !== undefined && { userId }),
    ...(expectedRevision !== undefined && { expectedRevision }),
    ...(key !== undefined && { idempotency: { key, fingerprint: fingerprintOf(request) } }),
  };
}

function expectedRevisionOf(request: HttpRequest): number | undefined {
  // The DTO validates the body field (an integer >= 0) before the handler runs; here we only read it.
  const body: unknown = request.body;
  const raw =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>).expectedRevision
      : undefined;
  const fromBody = typeof raw === 'number' ? raw : undefined;
  const ifMatch = request.header('If-Match');
  if (ifMatch === undefined) return fromBody;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(ifMatch.trim());
  if (match === null) throw new InvalidIfMatchError(ifMatch);
  const fromHeader = Number(match[1]);
  if (fromBody !== undefined && fromBody !== fromHeader)
    throw new ConflictingExpectedRevisionError(fromBody, fromHeader);
  return fromHeader;
}

/** Same method, path, body (keys in any order) and If-Match ⇒ same fingerprint. */
export function fingerprintOf(request: HttpRequest): string {
  const canonical = canonicalJson({
    method: request.method,
    path: request.originalUrl,
    body: request.body ?? null,
    ifMatch: request.header('If-Match') ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
