import { z } from 'zod';
import { RequestValidationError } from '../http/request.errors';
import { defineAggregate } from './define-aggregate';
import { parsePayload } from './payload-validation';
import { checkedEvents, InvalidDecidedEventError } from './run-aggregate-command';

function fieldsOf(schema: z.ZodType, body: unknown): Readonly<Record<string, readonly string[]>> {
  try {
    parsePayload(schema, body);
  } catch (error) {
    expect(error).toBeInstanceOf(RequestValidationError);
    return (error as RequestValidationError).fields;
  }
  throw new Error('the body was accepted');
}

const product = z
  .object({
    title: z.string().max(5),
    price: z.number().int().min(0),
    tags: z.array(z.string()).max(2).optional(),
    code: z
      .string()
      .regex(/^[a-z]+$/, 'must be lowercase letters')
      .optional(),
    address: z.object({ city: z.string() }).optional(),
  })
  .strict();

describe('parsePayload', () => {
  it('names every invalid field in sentences about the field', () => {
    expect(
      fieldsOf(product, {
        price: '12',
        tags: ['ok', 7],
        code: 'ABC',
        address: { city: 1 },
        colour: 'red',
      }),
    ).toEqual({
      title: ['title is required', 'title must be a string'],
      price: ['price must be an integer number'],
      tags: ['each value in tags must be a string'],
      code: ['code must be lowercase letters'],
      'address.city': ['city must be a string'],
      colour: ['property colour should not exist'],
    });
    expect(fieldsOf(product, { title: 'too long', price: -1, tags: ['a', 'b', 'c'] })).toEqual({
      title: ['title must be shorter than or equal to 5 characters'],
      price: ['price must not be less than 0'],
      tags: ['tags must contain no more than 2 elements'],
    });
  });

  it('refuses a body that is not a JSON object', () => {
    expect(fieldsOf(product, [{ title: 'a', price: 1 }])).toEqual({
      '(body)': ['the body must be a JSON object, not an array'],
    });
    expect(fieldsOf(product, 'text')).toEqual({ '(body)': ['the body must be a JSON object, not string'] });
  });

  it('returns the parsed payload', () => {
    expect(parsePayload(product, { title: 'Lamp', price: 5 })).toEqual({ title: 'Lamp', price: 5 });
  });
});

describe('checkedEvents', () => {
  const tally = defineAggregate({
    name: 'tally',
    initialState: 0,
    events: { Counted: { data: z.object({ n: z.number().int() }) } },
    evolve: (state, event) => state + event.data.n,
    commands: { count: { decide: () => [] } },
  });
  const [count] = tally.commands;

  it('parses what decide returned with the event schemas', () => {
    expect(checkedEvents(tally, count!, { type: 'Counted', data: { n: 2 } })).toEqual([
      { type: 'Counted', data: { n: 2 } },
    ]);
  });

  it('refuses an unknown type or data that does not match its schema, naming the command', () => {
    expect(() => checkedEvents(tally, count!, [{ type: 'Counted', data: { n: 1.5 } }])).toThrow(
      InvalidDecidedEventError,
    );
    expect(() => checkedEvents(tally, count!, [{ type: 'Guessed', data: {} }])).toThrow(
      /tally\.count \(defined at src\/aggregates\/payload-validation\.unit\.spec\.ts:\d+:\d+\) decided event #1 of unknown type "Guessed"/,
    );
  });
});
