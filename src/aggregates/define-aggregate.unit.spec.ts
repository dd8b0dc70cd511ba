import { z } from 'zod';
import type { AggregateSpec, EventSpecs } from './aggregate.types';
import { defineAggregate } from './define-aggregate';
import { AggregateDefinitionError } from './definition-checks';
import { PrismAggregatesModule } from './aggregates.module';
import { rehydrate, UnknownEventTypeError } from './decider';

type Counter = { count: number };

/** A valid definition to break one piece at a time. */
function counter(overrides: Partial<AggregateSpec<Counter, EventSpecs, Record<string, unknown>>> = {}) {
  return {
    name: 'counter',
    initialState: { count: 0 },
    events: { Incremented: { data: z.object({ by: z.number() }), version: 2 } },
    evolve: (state: Counter, event: { data: { by: number } }) => ({ count: state.count + event.data.by }),
    commands: {
      open: {
        creates: true,
        idField: 'counterId',
        payload: z.object({ counterId: z.string().optional() }),
        decide: () => [{ type: 'Incremented', data: { by: 0 } }],
      },
      increment: {
        payload: z.object({ by: z.number().int() }),
        decide: (command: { by: number }) => [{ type: 'Incremented', data: { by: command.by } }],
      },
    },
    ...overrides,
  } as AggregateSpec<Counter, EventSpecs, Record<string, unknown>>;
}

/** The problems a definition is refused with (fails the test when it is accepted). */
function problemsOf(spec: AggregateSpec<Counter, EventSpecs, Record<string, unknown>>): readonly string[] {
  try {
    defineAggregate(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(AggregateDefinitionError);
    return (error as AggregateDefinitionError).problems;
  }
  throw new Error('the definition was accepted');
}

describe('defineAggregate', () => {
  it('works out streams, routes, request bodies and event versions from the definition', () => {
    const aggregate = defineAggregate(counter());
    expect(aggregate).toMatchObject({ name: 'counter', path: 'counters', idParam: 'counterId' });
    expect(
      aggregate.commands.map(({ name, method, routePath, creates, schemaName }) => ({
        name,
        method,
        routePath,
        creates,
        schemaName,
      })),
    ).toEqual([
      { name: 'open', method: 'POST', routePath: '', creates: true, schemaName: 'OpenDto' },
      {
        name: 'increment',
        method: 'POST',
        routePath: ':counterId/increment',
        creates: false,
        schemaName: 'IncrementDto',
      },
    ]);
    expect(aggregate.decider.streamPrefix).toBe('counter');
    expect(aggregate.decider.schemaVersionOf('Incremented')).toBe(2);
    // A command on an existing aggregate takes expectedRevision; the body is strict.
    expect(aggregate.commands[1]!.body.safeParse({ by: 1, expectedRevision: 3 }).success).toBe(true);
    expect(aggregate.commands[1]!.body.safeParse({ by: 1, colour: 'red' }).success).toBe(false);
    expect(aggregate.commands[0]!.body.safeParse({ expectedRevision: 3 }).success).toBe(false);
  });

  it('takes route overrides with path fields, and names commands in kebab-case by default', () => {
    const aggregate = defineAggregate(
      counter({
        commands: {
          resetToZero: { decide: () => [] },
          removeTag: {
            payload: z.object({ tag: z.string() }),
            route: { method: 'DELETE', path: 'tags/:tag' },
            decide: () => [],
          },
        },
      }),
    );
    expect(
      aggregate.commands.map((command) => [command.method, command.routePath, command.pathFields]),
    ).toEqual([
      ['POST', ':counterId/reset-to-zero', []],
      ['DELETE', ':counterId/tags/:tag', ['tag']],
    ]);
  });

  it('refuses commands that would share a route (the same name twice, in effect) or a body name', () => {
    expect(
      problemsOf(
        counter({
          commands: {
            ship: { decide: () => [] },
            send: { route: { path: 'ship' }, decide: () => [] },
            shipIt: { schemaName: 'ShipDto', decide: () => [] },
          },
        }),
      ),
    ).toEqual([
      'commands "ship" and "send" have the same route (POST :counterId/ship); set route on one',
      'two commands document their body as "ShipDto"; set schemaName on one',
    ]);
  });

  it('refuses a command without decide, and reports every problem at once with where it was defined', () => {
    let error: unknown;
    try {
      defineAggregate(
        counter({
          name: 'Counter',
          events: { 'not a name': { data: z.object({}) }, Reset: { data: z.string(), version: 0 } },
          commands: {
            increment: { payload: z.object({ by: z.number() }) } as never,
            'add-one': { decide: () => [] },
            decrement: { payload: z.string(), decide: () => [] },
          },
          errors: { CounterFull: { status: 400 as never, meaning: '' } },
        }),
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AggregateDefinitionError);
    const { problems, message } = error as AggregateDefinitionError;
    expect(problems).toEqual([
      'name "Counter" must be lower camelCase (a letter, then letters or digits, at most 40), e.g. "cart"; it names the streams (cart-<id>)',
      'event "not a name" is not a valid event type name; use an event type name such as OrderPlaced',
      'event "Reset" needs `data`: a zod object, e.g. { data: z.object({ cartId: z.string() }) }',
      'event "Reset": version must be a whole number from 1 (got 0)',
      'command "increment" has no `decide(command, state, ctx)` function returning its events',
      'command "add-one" must be lower camelCase (a letter, then letters or digits), e.g. "addProduct"',
      'command "decrement": payload must be a zod object, e.g. z.object({ productId: z.string() })',
      'error code "CounterFull" must be snake_case, e.g. "cart_empty"',
      'error code "CounterFull": status must be 404 (NotFoundError), 409 (AlreadyExistsError) or 422 (DomainRuleError)',
      'error code "CounterFull": meaning must be one line saying what the code means for the caller',
    ]);
    // The first line names this file, line and column: where the definition is.
    expect(message).toMatch(
      /^src\/aggregates\/define-aggregate\.unit\.spec\.ts:\d+:\d+: aggregate "Counter" is not valid:/,
    );
  });

  it('refuses ids and path parameters that are not payload fields, and the reserved expectedRevision', () => {
    expect(
      problemsOf(
        counter({
          commands: {
            open: { creates: true, idField: 'counterId', decide: () => [] },
            tag: { payload: z.object({ tag: z.string() }), route: { path: 'tags/:label' }, decide: () => [] },
            bump: { idField: 'x', payload: z.object({ expectedRevision: z.number() }), decide: () => [] },
            move: { route: { method: 'GET' as never, path: 'Up Here' }, decide: () => [] },
          },
        }),
      ),
    ).toEqual([
      'command "open": idField "counterId" must be a field of its payload, e.g. counterId: aggregateId().optional()',
      'command "tag": path parameter :label must be a field of its payload',
      'command "bump": "expectedRevision" is reserved (the If-Match of the body); rename it',
      'command "bump": idField is only for a creating command (the id is the :counterId path parameter)',
      'command "move": route.method must be one of POST, PUT, PATCH, DELETE (got GET)',
      'command "move": route.path "Up Here" must be kebab-case segments and :field parameters, e.g. "lines/:productId"',
    ]);
  });

  it("refuses a route path Prism's own routes use", () => {
    expect(problemsOf(counter({ name: 'view' }))).toEqual([
      'path "views" starts with /views, which Prism\'s own routes use; set another `path`',
    ]);
    expect(problemsOf(counter({ path: '/counters' }))).toEqual([
      'path "/counters" must be lowercase kebab-case segments without a leading slash, e.g. "carts" or "shop/carts"',
    ]);
  });

  it('refuses two aggregates with one name in the same module', () => {
    const a = defineAggregate(counter());
    const b = defineAggregate(counter({ path: 'other-counters' }));
    expect(() => PrismAggregatesModule.forFeature([a, b])).toThrow(
      /Aggregates "counter" \(.*\) and "counter" \(.*\) both use the name "counter"/,
    );
  });

  it('keeps an unknown event type in a stream an error', () => {
    const { decider } = defineAggregate(counter());
    expect(rehydrate(decider, 'counter-1', [{ type: 'Incremented', data: { by: 2 } }])).toEqual({ count: 2 });
    expect(() => rehydrate(decider, 'counter-1', [{ type: 'Doubled', data: {} }])).toThrow(
      UnknownEventTypeError,
    );
  });
});
