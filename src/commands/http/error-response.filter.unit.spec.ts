import { BadRequestException, NotFoundException } from '@nestjs/common';
import {
  CustomerAlreadyRegisteredError,
  CustomerNotFoundError,
  InvalidValueError,
  OrderAlreadyShippedError,
} from '../../domain/domain.errors';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../../eventstore/event-store.errors';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
} from '../idempotency/idempotency.errors';
import { errorResponseOf } from './error-response.filter';
import { InvalidIdError, RequestValidationError } from './request.errors';

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

  it('maps domain errors by kind: 404, 409, 422, with their code and details', () => {
    expect(errorResponseOf(new CustomerNotFoundError('c1'))).toMatchObject({
      status: 404,
      body: { error: 'customer_not_found', customerId: 'c1' },
    });
    expect(errorResponseOf(new CustomerAlreadyRegisteredError('c1'))?.status).toBe(409);
    expect(errorResponseOf(new OrderAlreadyShippedError('o1'))).toMatchObject({
      status: 422,
      body: { error: 'order_already_shipped', orderId: 'o1' },
    });
    expect(errorResponseOf(new InvalidValueError('invalid_price', 'price', 'bad'))).toMatchObject({
      status: 422,
      body: { error: 'invalid_price', field: 'price' },
    });
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

  it("keeps Nest's HTTP exceptions and leaves unknown errors to the 500 path", () => {
    expect(errorResponseOf(new NotFoundException('Cannot GET /nope'))).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'Cannot GET /nope' },
    });
    expect(errorResponseOf(new BadRequestException('Unexpected end of JSON input'))).toMatchObject({
      status: 400,
      body: { error: 'malformed_request' },
    });
    expect(errorResponseOf(new Error('boom'))).toBeUndefined();
  });
});
