/**
 * Checks an aggregate definition when it is defined (at import time), so a mistake fails the start with a
 * message naming the definition's file:line:col and every problem at once, never a request later.
 */
import path from 'node:path';
import { NAME_PATTERNS } from '../dsl/model/names';
import { isPlatformCode, SNAKE_CASE, statusOf } from '../http/error-catalog';
import type { HttpMethod } from './aggregate.types';

/** The definition is unusable; `problems` lists each mistake with how to fix it. */
export class AggregateDefinitionError extends Error {
  override readonly name = 'AggregateDefinitionError';
  constructor(
    /** The aggregate's name as given. */
    readonly aggregate: string,
    /** `file:line:col` of the defineAggregate call. */
    readonly definedAt: string,
    /** Each mistake, with how to fix it. */
    readonly problems: readonly string[],
  ) {
    super(
      `${definedAt}: aggregate "${aggregate}" is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
}

export const AGGREGATE_NAME = /^[a-z][A-Za-z0-9]*$/;
export const COMMAND_NAME = /^[a-z][A-Za-z0-9]*$/;
const PATH_SEGMENT = /^(?:[a-z0-9]+(?:-[a-z0-9]+)*|:[A-Za-z][A-Za-z0-9]*)$/;
const COLLECTION_PATH = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\/[a-z0-9]+(?:-[a-z0-9]+)*)*$/;
const METHODS: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Collects problems; `check` adds one when its condition is false. */
export class Problems {
  readonly list: string[] = [];
  check(ok: boolean, problem: () => string): boolean {
    if (!ok) this.list.push(problem());
    return ok;
  }
}

export function checkAggregateName(problems: Problems, name: unknown): name is string {
  return problems.check(
    typeof name === 'string' && AGGREGATE_NAME.test(name) && name.length <= 40,
    () =>
      `name ${JSON.stringify(name)} must be lower camelCase (a letter, then letters or digits, at most 40), e.g. "cart"; it names the streams (cart-<id>)`,
  );
}

/** First path segments Prism's own routes use (queries, append, admin, probes, docs, console). */
const RESERVED_PATHS = ['admin', 'console', 'docs', 'docs-json', 'health', 'metrics', 'streams', 'views'];

export function checkCollectionPath(problems: Problems, value: string): void {
  if (
    problems.check(
      COLLECTION_PATH.test(value),
      () =>
        `path "${value}" must be lowercase kebab-case segments without a leading slash, e.g. "carts" or "shop/carts"`,
    )
  ) {
    const first = value.split('/')[0]!;
    problems.check(
      !RESERVED_PATHS.includes(first),
      () => `path "${value}" starts with /${first}, which Prism's own routes use; set another \`path\``,
    );
  }
}

export function checkIdParam(problems: Problems, value: string): void {
  problems.check(
    NAME_PATTERNS.field.pattern.test(value),
    () => `idParam "${value}" must be a letter or _ followed by letters, digits or _, e.g. "cartId"`,
  );
}

export function checkEvent(problems: Problems, type: string, spec: unknown): void {
  problems.check(
    NAME_PATTERNS.eventType.pattern.test(type),
    () => `event "${type}" is not a valid event type name; use ${NAME_PATTERNS.eventType.human}`,
  );
  const data = (spec as { data?: unknown } | undefined)?.data;
  problems.check(
    isZodObject(data),
    () => `event "${type}" needs \`data\`: a zod object, e.g. { data: z.object({ cartId: z.string() }) }`,
  );
  const version = (spec as { version?: unknown } | undefined)?.version;
  problems.check(
    version === undefined || (Number.isSafeInteger(version) && (version as number) >= 1),
    () => `event "${type}": version must be a whole number from 1 (got ${JSON.stringify(version)})`,
  );
  checkUpcasters(problems, type, (spec as { upcast?: unknown } | undefined)?.upcast, version);
}

/** `upcast: { 1: fn, 2: fn }`: functions, each from a version below `version`, the chain without a gap. */
function checkUpcasters(problems: Problems, type: string, upcast: unknown, version: unknown): void {
  if (upcast === undefined) return;
  if (
    !problems.check(
      typeof upcast === 'object' && upcast !== null && !Array.isArray(upcast),
      () =>
        `event "${type}": upcast must be an object of functions by the version they read, e.g. { 1: (v1) => ({ ...v1, currency: 'EUR' }) }`,
    )
  )
    return;
  const latest = Number.isSafeInteger(version) ? (version as number) : 1;
  const froms: number[] = [];
  for (const [key, fn] of Object.entries(upcast as Record<string, unknown>)) {
    const from = Number(key);
    const valid = problems.check(
      Number.isSafeInteger(from) && from >= 1 && from < latest,
      () =>
        `event "${type}": upcast ${key} must be a version below the event's version ${latest} (the version it reads)`,
    );
    problems.check(
      typeof fn === 'function',
      () => `event "${type}": upcast ${key} must be a function (data) => data`,
    );
    if (valid) froms.push(from);
  }
  if (froms.length === 0) return;
  const first = Math.min(...froms);
  for (let from = first; from < latest; from++) {
    problems.check(
      froms.includes(from),
      () =>
        `event "${type}": the upcaster chain has a gap: nothing upcasts version ${from} to ${from + 1} (the chain starts at ${first} and must reach ${latest})`,
    );
  }
}

export function checkCommandName(problems: Problems, name: string): boolean {
  return problems.check(
    COMMAND_NAME.test(name),
    () => `command "${name}" must be lower camelCase (a letter, then letters or digits), e.g. "addProduct"`,
  );
}

export function checkMethod(problems: Problems, command: string, method: unknown): void {
  problems.check(
    METHODS.includes(method as HttpMethod),
    () => `command "${command}": route.method must be one of ${METHODS.join(', ')} (got ${String(method)})`,
  );
}

export function checkRoutePath(problems: Problems, command: string, routePath: string): void {
  problems.check(
    routePath === '' || routePath.split('/').every((segment) => PATH_SEGMENT.test(segment)),
    () =>
      `command "${command}": route.path "${routePath}" must be kebab-case segments and :field parameters, e.g. "lines/:productId"`,
  );
}

export function checkErrorCode(problems: Problems, code: string, spec: unknown): void {
  const status = (spec as { status?: unknown } | undefined)?.status;
  const meaning = (spec as { meaning?: unknown } | undefined)?.meaning;
  problems.check(SNAKE_CASE.test(code), () => `error code "${code}" must be snake_case, e.g. "cart_empty"`);
  problems.check(
    status === 404 || status === 409 || status === 422,
    () =>
      `error code "${code}": status must be 404 (NotFoundError), 409 (AlreadyExistsError) or 422 (DomainRuleError)`,
  );
  problems.check(
    typeof meaning === 'string' && /^\S.*\S$/.test(meaning) && !meaning.includes('\n'),
    () => `error code "${code}": meaning must be one line saying what the code means for the caller`,
  );
  problems.check(
    !isPlatformCode(code) || statusOf(code) === status,
    () => `error code "${code}" is one of Prism's own codes (another status); choose another name`,
  );
}

/** A zod object schema, told apart by its internals, so a team's own copy of zod 4 works as well. */
export function isZodObject(value: unknown): boolean {
  const def = (value as { _zod?: { def?: { type?: unknown } } } | undefined)?._zod?.def;
  return def?.type === 'object' && typeof (value as { strict?: unknown }).strict === 'function';
}

const OWN_FILES = /^(?:define-aggregate|definition-checks)\.[cm]?[jt]s$/;

/** `file:line:col` of the code that called defineAggregate, relative to the working directory. */
export function callerLocation(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  for (const frame of frames) {
    const match = /\(?((?:[A-Za-z]:)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(frame);
    if (match === null) continue;
    const file = match[1]!;
    if (file.startsWith('node:') || OWN_FILES.test(path.basename(file))) continue;
    return `${path.relative(process.cwd(), file) || file}:${match[2]}:${match[3]}`;
  }
  return '(unknown location)';
}
