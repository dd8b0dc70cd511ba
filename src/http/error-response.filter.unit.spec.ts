import { BadRequestException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';
import { AlreadyExistsError, DomainRuleError, NotFoundError } from '../aggregates/domain-errors';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../eventstore/event-store.errors';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
} from '../commands/idempotency/idempotency.errors';
import { errorResponseOf } from './error-response.filter';
import {
  HttpRequestError,
  InvalidIdError,
  MAX_REPORTED_FIELDS,
  RequestValidationError,
} from './request.errors';

describe('errorResponseOf', () => {
  it('maps field validation to 400 with messages per field', () => {
    const response = errorResponseOf(
      new RequestValidationError({ price: ['price must be an integer number'] }),
    );
    expect(response?.status).toBe(400);
    expect(response?.body).toMatchObject({
      error: 'validation_failed',
      fields: { price: ['price must be an integer number'] },
    });
  });

  it('maps malformed ids and idempotency keys to 400 with their own codes', () => {
    expect(errorResponseOf(new InvalidIdError('orderId', 'a b'))?.body.error).toBe('invalid_id');
    expect(errorResponseOf(new InvalidIdempotencyKeyError('a b'))).toMatchObject({
      status: 400,
      body: { error: 'invalid_idempotency_key' },
    });
  });

  it('maps domain errors by class: 404, 409, 422, with their own code and details', () => {
    expect(
      errorResponseOf(new NotFoundError('cart_not_found', 'Open it first.', { cartId: 'c1' })),
    ).toMatchObject({
      status: 404,
      body: { error: 'cart_not_found', message: 'Open it first.', cartId: 'c1' },
    });
    expect(errorResponseOf(new AlreadyExistsError('cart_exists', 'It exists.'))?.status).toBe(409);
    expect(
      errorResponseOf(new DomainRuleError('cart_empty', 'Add a product.', { cartId: 'c1' })),
    ).toMatchObject({
      status: 422,
      body: { error: 'cart_empty', cartId: 'c1' },
    });
  });

  it('keeps a domain code its aggregate did not declare, and notes it for a warning', () => {
    // The domain's codes are its contract with its clients: never replaced by a generic code.
    expect(errorResponseOf(new DomainRuleError('undeclared_rule', 'No.'))).toMatchObject({
      status: 422,
      body: { error: 'undeclared_rule' },
      uncatalogued: 'undeclared_rule',
      domainCode: true,
    });
  });

  it('refuses a domain error code that is not snake_case when the error is made', () => {
    expect(() => new DomainRuleError('CartEmpty', 'No.')).toThrow(/code "CartEmpty" is not snake_case/);
  });

  it('maps a concurrency conflict to 409 with the expected and actual revisions', () => {
    expect(errorResponseOf(new WrongExpectedRevisionError('order-o1', 2, 3))).toMatchObject({
      status: 409,
      body: { error: 'concurrency_conflict', streamId: 'order-o1', expectedRevision: 2, actualRevision: 3 },
    });
    expect(errorResponseOf(new WrongExpectedRevisionError('order-o1', 'no_stream', 0))?.body).toMatchObject({
      expectedRevision: -1,
      actualRevision: 0,
    });
  });

  it('maps idempotency key reuse to 422 and a key in progress to 409 with Retry-After', () => {
    expect(errorResponseOf(new IdempotencyKeyReusedError('k'))).toMatchObject({
      status: 422,
      body: { error: 'idempotency_key_reused' },
    });
    expect(errorResponseOf(new IdempotencyKeyInProgressError('k', 2))).toMatchObject({
      status: 409,
      body: { error: 'idempotency_key_in_progress' },
      headers: { 'Retry-After': '2' },
    });
  });

  it('maps an unavailable store to 503 saying nothing was written', () => {
    const response = errorResponseOf(new EventStoreUnavailableError('postgres', 'connect ECONNREFUSED'));
    expect(response?.status).toBe(503);
    expect(response?.body.error).toBe('event_store_unavailable');
    expect(response?.body.message).toContain('postgres event store is unavailable: connect ECONNREFUSED');
    expect(response?.body.message).toContain('Nothing was written');
  });

  it('never says nothing was written when the connection dropped during the commit (outcome unknown)', () => {
    const response = errorResponseOf(
      new EventStoreUnavailableError(
        'postgres',
        'the connection was lost during COMMIT; the events may or may not have been written',
        {
          outcomeUnknown: true,
        },
      ),
    );
    expect(response?.status).toBe(503);
    expect(response?.body.error).toBe('event_store_unavailable');
    expect(response?.body.message).toContain('may or may not have been written');
    expect(response?.body.message).not.toContain('Nothing was written');
  });

  it("gives Nest's HTTP exceptions generic codes and leaves unknown errors to the 500 path", () => {
    const notFound = errorResponseOf(new NotFoundException('Cannot GET /nope?api_key=secret-key-1'));
    expect(notFound).toMatchObject({ status: 404, body: { error: 'route_not_found' } });
    expect(notFound?.body.message).toBe(
      'Cannot GET /nope: no route has this method and path; the API is listed at /docs.',
    );
    expect(errorResponseOf(new BadRequestException('Unexpected end of JSON input'))).toMatchObject({
      status: 400,
      body: { error: 'malformed_request' },
    });
    expect(errorResponseOf(new Error('boom'))).toBeUndefined();
  });
});

describe('errorResponseOf: one format (issue #12 item 9)', () => {
  it('lists at most 20 invalid fields and counts the rest, instead of a 751 KB answer to 9,000 unknown keys', () => {
    const fields = Object.fromEntries(
      Array.from({ length: 9000 }, (_, i) => [`k${i}`, [`property k${i} should not exist`]]),
    );
    const response = errorResponseOf(new RequestValidationError(fields));
    expect(Object.keys(response?.body.fields as object)).toHaveLength(MAX_REPORTED_FIELDS);
    expect(response?.body).toMatchObject({
      error: 'validation_failed',
      omittedFields: 9000 - MAX_REPORTED_FIELDS,
    });
    expect(response?.body.message).toContain(`and ${9000 - MAX_REPORTED_FIELDS} more field(s)`);
    expect(JSON.stringify(response?.body).length).toBeLessThan(4_000);
  });

  it('cuts a huge field name in the answer', () => {
    const response = errorResponseOf(
      new RequestValidationError({ ['x'.repeat(50_000)]: ['should not exist'] }),
    );
    expect(JSON.stringify(response?.body).length).toBeLessThan(1_000);
  });

  it('answers an edge error with its catalogued status, `error` and `message` first, then its details', () => {
    const response = errorResponseOf(
      new HttpRequestError('credentials_in_url', 'use a header', { parameters: ['api_key'] }),
    );
    expect(response?.status).toBe(400);
    expect(Object.keys(response!.body)).toEqual(['error', 'message', 'parameters']);
  });

  it("keeps a controller's catalogued code and details, and drops Nest's statusCode", () => {
    const response = errorResponseOf(
      new HttpException(
        { statusCode: 400, error: 'invalid_query', message: 'bad', parameter: 'limit', field: 'limit' },
        HttpStatus.BAD_REQUEST,
      ),
    );
    expect(response).toEqual({
      status: 400,
      body: { error: 'invalid_query', message: 'bad', parameter: 'limit', field: 'limit' },
    });
  });

  it('never emits a code missing from the catalog: it answers the generic one and says which it replaced', () => {
    const response = errorResponseOf(
      new HttpException({ error: 'RelationalQueryError', message: 'bad' }, HttpStatus.BAD_REQUEST),
    );
    expect(response).toMatchObject({
      status: 400,
      body: { error: 'malformed_request', message: 'bad' },
      uncatalogued: 'RelationalQueryError',
    });
  });

  it("answers body-parser's 413 and 415 with their codes and how to fix the request", () => {
    const tooLarge = errorResponseOf(Object.assign(new Error('request entity too large'), { status: 413 }));
    expect(tooLarge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(tooLarge?.body.message).toContain('send at most 100kb');
    const charset = errorResponseOf(
      Object.assign(new Error('unsupported charset "LATIN1"'), { status: 415 }),
    );
    expect(charset).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    expect(charset?.body.message).toContain('application/json');
  });
});
