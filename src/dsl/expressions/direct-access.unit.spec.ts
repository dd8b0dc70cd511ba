import type { StoredEvent } from '../../eventstore/event-store.port';
import { directEvaluation, INDIRECT } from './direct-access';
import { celEvent, ExpressionEnvironment, isExpressionProblem } from './expression-environment';

function storedEvent(data: Record<string, unknown>, metadata: Record<string, unknown> = {}): StoredEvent {
  return {
    id: 'e-1',
    type: 'ItemAdded',
    streamId: 'order-1',
    revision: 3,
    position: 17n,
    data,
    metadata,
    recordedAt: new Date(0),
  } as unknown as StoredEvent;
}

/** What the CEL interpreter returns, or the error message it throws. */
function viaCel(source: string, event: StoredEvent): unknown {
  const compiled = ExpressionEnvironment.forEvents().compile(source);
  if (isExpressionProblem(compiled)) throw new Error(`${source}: ${compiled.message}`);
  try {
    return compiled.evaluate({ event: celEvent(event) });
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('direct evaluation of literals and event paths', () => {
  const event = storedEvent(
    {
      orderId: 'o-1',
      qty: 3,
      price: 2.5,
      nothing: null,
      flags: [1, 'a', { b: 2 }],
      customer: { id: 'c-9', address: { city: 'Lyon', zip: 69001 } },
    },
    { correlationId: 'k-1' },
  );
  const answered = [
    '0',
    '-42',
    '123456789012345',
    '"placed"',
    "'shipped'",
    '""',
    'true',
    'false',
    'null',
    'event.id',
    'event.type',
    'event.streamId',
    'event.data.orderId',
    'event.data.qty',
    'event.data.price',
    'event.data.nothing',
    'event.data.flags',
    'event.data.customer',
    'event.data.customer.address.zip',
    ' event.data.customer.id ',
    'event.metadata.correlationId',
  ];

  it.each(answered)('%s gives exactly what CEL gives', (source) => {
    const direct = directEvaluation(source);
    expect(direct).toBeDefined();
    const value = direct!(event);
    expect(value).not.toBe(INDIRECT);
    expect(value).toEqual(viaCel(source, event));
  });

  it('leaves everything else to CEL', () => {
    for (const source of [
      'event.data.qty * event.data.price',
      'event.position',
      'event.revision',
      '"a\\"b"',
      '1.5',
      '1234567890123456789',
      'event.data["orderId"]',
      'has(event.data.orderId)',
      'event.data.orderId + "x"',
    ]) {
      expect(directEvaluation(source)).toBeUndefined();
    }
  });

  it('answers INDIRECT where CEL would fail, so CEL produces the error', () => {
    for (const source of [
      'event.data.missing',
      'event.data.orderId.inner',
      'event.data.nothing.x',
      'event.data.flags.x',
    ]) {
      expect(directEvaluation(source)!(event)).toBe(INDIRECT);
      expect(viaCel(source, event)).toEqual({ error: expect.any(String) });
    }
  });

  it('does not read inherited properties', () => {
    expect(directEvaluation('event.data.constructor')!(event)).toBe(INDIRECT);
    expect(directEvaluation('event.data.toString')!(event)).toBe(INDIRECT);
  });
});
