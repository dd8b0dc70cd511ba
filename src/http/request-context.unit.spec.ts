import { InvalidIdempotencyKeyError } from '../commands/idempotency/idempotency.errors';
import type { HttpRequest } from './http.types';
import { commandContextOf, correlationIdOf, fingerprintOf } from './request-context';
import { ConflictingExpectedRevisionError, InvalidIfMatchError } from './request.errors';

function request(
  headers: Record<string, string> = {},
  body: unknown = {},
  originalUrl = '/orders/o1/items',
  method = 'POST',
): HttpRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, originalUrl, body, header: (name) => lower[name.toLowerCase()] };
}

describe('commandContextOf', () => {
  it('gives every attempt a fresh command id and keeps a safe correlation id', () => {
    const a = commandContextOf(request({ 'X-Correlation-Id': 'trace-1' }));
    const b = commandContextOf(request({ 'X-Correlation-Id': 'trace-1' }));
    expect(a.correlationId).toBe('trace-1');
    expect(a.commandId).not.toBe(b.commandId);
    expect(a.commandId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('replaces an unusable correlation id, once per request', () => {
    const req = request({ 'X-Correlation-Id': 'bad id with spaces' });
    const id = correlationIdOf(req);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(commandContextOf(req).correlationId).toBe(id);
  });

  it('reads the expected revision from the body or If-Match', () => {
    expect(commandContextOf(request({}, { expectedRevision: 4 })).expectedRevision).toBe(4);
    expect(commandContextOf(request({ 'If-Match': '"7"' })).expectedRevision).toBe(7);
    expect(commandContextOf(request({ 'If-Match': 'W/"7"' })).expectedRevision).toBe(7);
    expect(commandContextOf(request({ 'If-Match': '7' }, { expectedRevision: 7 })).expectedRevision).toBe(7);
    expect(commandContextOf(request()).expectedRevision).toBeUndefined();
  });

  it('rejects a malformed If-Match and one that contradicts the body', () => {
    expect(() => commandContextOf(request({ 'If-Match': '*' }))).toThrow(InvalidIfMatchError);
    expect(() => commandContextOf(request({ 'If-Match': '"2"' }, { expectedRevision: 3 }))).toThrow(
      ConflictingExpectedRevisionError,
    );
  });

  it('accepts a UUID Idempotency-Key and rejects an unsafe one', () => {
    const key = '0b8f8a4e-4b1a-4f6c-9d59-3f3c2f6d1a10';
    expect(commandContextOf(request({ 'Idempotency-Key': key })).idempotency?.key).toBe(key);
    expect(() => commandContextOf(request({ 'Idempotency-Key': 'a/b' }))).toThrow(InvalidIdempotencyKeyError);
    expect(() => commandContextOf(request({ 'Idempotency-Key': 'x'.repeat(129) }))).toThrow(
      InvalidIdempotencyKeyError,
    );
  });
});

describe('fingerprintOf', () => {
  const base = fingerprintOf(request({}, { productId: 'p1', qty: 2, extra: { a: 1, b: [1, 2] } }));

  it('ignores the order of body keys', () => {
    expect(fingerprintOf(request({}, { extra: { b: [1, 2], a: 1 }, qty: 2, productId: 'p1' }))).toBe(base);
  });

  it('changes with the body, the path, the method and If-Match', () => {
    const body = { productId: 'p1', qty: 2, extra: { a: 1, b: [1, 2] } };
    expect(fingerprintOf(request({}, { ...body, qty: 3 }))).not.toBe(base);
    expect(fingerprintOf(request({}, { ...body, extra: { a: 1, b: [2, 1] } }))).not.toBe(base);
    expect(fingerprintOf(request({}, body, '/orders/o2/items'))).not.toBe(base);
    expect(fingerprintOf(request({}, body, '/orders/o1/items', 'DELETE'))).not.toBe(base);
    expect(fingerprintOf(request({ 'If-Match': '"1"' }, body))).not.toBe(base);
  });
});
