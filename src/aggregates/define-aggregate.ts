/**
 * `defineAggregate`: an aggregate in one declaration (decider, stream naming, zod schemas per command and
 * per event). It checks the definition at once (AggregateDefinitionError with file:line:col and every
 * problem) and returns the frozen `Aggregate` that PrismAggregatesModule turns into REST routes.
 */
import { z } from 'zod';
import type {
  Aggregate,
  AggregateCommand,
  AggregateEvent,
  AggregateSpec,
  CommandSpec,
  EventSpecs,
  HttpMethod,
} from './aggregate.types';
import type { DomainEvent } from './decider';
import {
  AggregateDefinitionError,
  callerLocation,
  checkAggregateName,
  checkCollectionPath,
  checkCommandName,
  checkErrorCode,
  checkEvent,
  checkIdParam,
  checkMethod,
  checkRoutePath,
  isZodObject,
  Problems,
} from './definition-checks';

/** The body field every command on an existing aggregate accepts (same as the If-Match header). */
export const EXPECTED_REVISION_FIELD = 'expectedRevision';

const expectedRevisionSchema = z
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .optional()
  .describe(
    'The stream revision the client last saw (the `revision` or ETag of an earlier response). The command ' +
      'is refused with 409 concurrency_conflict if the stream has moved on. Same as If-Match.',
  );

/**
 * Declares an aggregate in one place: state, events (zod data schemas), `evolve`, and commands (zod payload
 * schemas, `decide`). Checks the definition at once and throws an AggregateDefinitionError listing every
 * problem with the definition's file:line:col. Mount the result with PrismAggregatesModule.
 */
export function defineAggregate<
  State,
  E extends EventSpecs,
  C extends Record<string, unknown>,
  const Next extends State = State,
>(spec: AggregateSpec<State, E, C, Next>): Aggregate<State> {
  const definedAt = callerLocation();
  const problems = new Problems();
  const name = checkAggregateName(problems, spec?.name) ? spec.name : String(spec?.name);
  const path = spec.path ?? `${kebab(name)}s`;
  checkCollectionPath(problems, path);
  const idParam = spec.idParam ?? `${name}Id`;
  checkIdParam(problems, idParam);
  problems.check(
    typeof spec.evolve === 'function',
    () => '`evolve(state, event)` must be a function returning the next state',
  );

  const events = new Map<string, AggregateEvent>();
  const eventSpecs = isRecord(spec.events) ? Object.entries(spec.events) : [];
  problems.check(eventSpecs.length > 0, () => '`events` must declare at least one event type');
  for (const [type, eventSpec] of eventSpecs) {
    checkEvent(problems, type, eventSpec);
    events.set(type, {
      data: eventSpec?.data,
      version: eventSpec?.version ?? 1,
      upcast: new Map(
        Object.entries(eventSpec?.upcast ?? {}).map(([from, upcast]) => [Number(from), upcast] as const),
      ),
    });
  }

  const commands: AggregateCommand[] = [];
  const commandSpecs = isRecord(spec.commands) ? Object.entries(spec.commands) : [];
  problems.check(commandSpecs.length > 0, () => '`commands` must declare at least one command');
  for (const [commandName, commandSpec] of commandSpecs) {
    const command = commandOf(problems, idParam, commandName, commandSpec as CommandSpec<State, E, unknown>);
    if (command) commands.push(command);
  }
  checkRoutesAreDistinct(problems, commands);
  checkSchemaNamesAreDistinct(problems, commands);

  const errors = spec.errors ?? {};
  for (const [code, errorSpec] of Object.entries(errors)) checkErrorCode(problems, code, errorSpec);

  if (problems.list.length > 0) throw new AggregateDefinitionError(name, definedAt, problems.list);

  const ownEvolve = spec.evolve.bind(spec) as unknown as (state: State, event: DomainEvent) => State;
  // A stored event written at an older version is upcast before `evolve` sees it (issue #16), like before
  // a projection: `evolve` is written against the latest version only.
  const evolve = (state: State, event: DomainEvent): State =>
    ownEvolve(state, upcastDomainEvent(events, event));
  return Object.freeze({
    name,
    path,
    idParam,
    definedAt,
    events,
    commands: Object.freeze(commands),
    errors: Object.freeze({ ...errors }),
    decider: Object.freeze({
      streamPrefix: name,
      eventTypes: new Set(events.keys()),
      initialState: spec.initialState,
      evolve,
      schemaVersionOf: (type: string) => events.get(type)?.version ?? 1,
    }),
  });
}

function commandOf<State, E extends EventSpecs>(
  problems: Problems,
  idParam: string,
  name: string,
  spec: CommandSpec<State, E, unknown>,
): AggregateCommand | undefined {
  if (!checkCommandName(problems, name)) return undefined;
  if (
    !problems.check(
      typeof spec?.decide === 'function',
      () => `command "${name}" has no \`decide(command, state, ctx)\` function returning its events`,
    )
  )
    return undefined;
  const payload = spec.payload ?? z.object({});
  if (
    !problems.check(
      isZodObject(payload),
      () => `command "${name}": payload must be a zod object, e.g. z.object({ productId: z.string() })`,
    )
  )
    return undefined;
  const shape = (payload as z.ZodObject).shape as Record<string, unknown>;
  const creates = spec.creates === true;
  const method: HttpMethod = spec.route?.method ?? 'POST';
  checkMethod(problems, name, method);
  const relative = spec.route?.path ?? (creates ? '' : kebab(name));
  checkRoutePath(problems, name, relative);
  const pathFields = relative
    .split('/')
    .filter((segment) => segment.startsWith(':'))
    .map((segment) => segment.slice(1));
  for (const field of pathFields) {
    problems.check(field !== idParam && field in shape, () =>
      field === idParam
        ? `command "${name}": route.path must not repeat the id parameter :${idParam}`
        : `command "${name}": path parameter :${field} must be a field of its payload`,
    );
  }
  problems.check(
    !(EXPECTED_REVISION_FIELD in shape),
    () => `command "${name}": "${EXPECTED_REVISION_FIELD}" is reserved (the If-Match of the body); rename it`,
  );
  if (creates) {
    problems.check(
      spec.idField === undefined || spec.idField in shape,
      () =>
        `command "${name}": idField "${spec.idField}" must be a field of its payload, e.g. ${spec.idField}: aggregateId().optional()`,
    );
  } else {
    problems.check(
      spec.idField === undefined,
      () =>
        `command "${name}": idField is only for a creating command (the id is the :${idParam} path parameter)`,
    );
  }
  const strict = (payload as z.ZodObject).strict();
  const body = creates ? strict : extend(strict, { [EXPECTED_REVISION_FIELD]: expectedRevisionSchema });
  const routePath = [creates ? '' : `:${idParam}`, relative].filter((part) => part !== '').join('/');
  return Object.freeze({
    name,
    creates,
    ...(spec.idField !== undefined && { idField: spec.idField }),
    method,
    routePath,
    pathFields: Object.freeze(pathFields),
    summary: spec.summary ?? sentence(name),
    schemaName: spec.schemaName ?? `${name.charAt(0).toUpperCase()}${name.slice(1)}Dto`,
    body,
    decide: spec.decide.bind(spec),
  });
}

function checkRoutesAreDistinct(problems: Problems, commands: readonly AggregateCommand[]): void {
  const seen = new Map<string, string>();
  for (const command of commands) {
    // Parameter names do not tell routes apart: `/:a/x` and `/:b/x` match the same requests.
    const key = `${command.method} ${command.routePath.replace(/:[^/]+/g, ':')}`;
    const other = seen.get(key);
    problems.check(
      other === undefined,
      () =>
        `commands "${other}" and "${command.name}" have the same route (${command.method} ${command.routePath}); set route on one`,
    );
    seen.set(key, command.name);
  }
}

function checkSchemaNamesAreDistinct(problems: Problems, commands: readonly AggregateCommand[]): void {
  const seen = new Set<string>();
  for (const command of commands) {
    problems.check(
      !seen.has(command.schemaName),
      () => `two commands document their body as "${command.schemaName}"; set schemaName on one`,
    );
    seen.add(command.schemaName);
  }
}

/** `extend` that keeps the object's refinements (zod 4's safeExtend where it exists). */
function extend(schema: z.ZodObject, shape: z.ZodRawShape): z.ZodObject {
  const safe = (schema as { safeExtend?: (shape: z.ZodRawShape) => z.ZodObject }).safeExtend;
  return safe ? safe.call(schema, shape) : schema.extend(shape);
}

/** `addProduct` → `add-product`. */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** `addProduct` → `Add product`. */
function sentence(name: string): string {
  const words = kebab(name).replace(/-/g, ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The event with its data at its type's latest version (the same object when nothing is to do). */
function upcastDomainEvent(events: ReadonlyMap<string, AggregateEvent>, event: DomainEvent): DomainEvent {
  const spec = events.get(event.type);
  if (!spec || spec.upcast.size === 0) return event;
  const written = (event as { metadata?: { schemaVersion?: unknown } }).metadata?.schemaVersion;
  let version = typeof written === 'number' && Number.isSafeInteger(written) ? written : 1;
  if (version >= spec.version || !spec.upcast.has(version)) return event;
  let data = event.data as Record<string, unknown>;
  for (; version < spec.version; version++) data = spec.upcast.get(version)!(data);
  return { ...event, data: data as DomainEvent['data'] };
}
