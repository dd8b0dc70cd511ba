/**
 * The error catalog is the one list of codes (issue #12 item 9): every entry is well-formed, the filter
 * emits nothing else, every code thrown in the sources is in it, and the documented table matches it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BadRequestException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';
import { DomainRuleError, NotFoundError } from '../aggregates/domain-errors';
import { DuplicateEventIdError } from '../eventstore/append-input';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../eventstore/event-store.errors';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
} from '../commands/idempotency/idempotency.errors';
import {
  ERROR_CATALOG,
  SNAKE_CASE,
  catalogEntry,
  genericCodeOf,
  isCatalogued,
  registerDomainErrorCodes,
} from './error-catalog';
import { CATALOG_DOC, tableRowsOf } from './error-catalog.doc';
import { errorResponseOf } from './error-response.filter';
import {
  ConflictingExpectedRevisionError,
  HttpRequestError,
  InvalidIdError,
  InvalidIfMatchError,
  RequestValidationError,
} from './request.errors';

const SRC = path.join(__dirname, '..');

/** Folders whose code answers HTTP requests (the DSL's DefinitionError codes are not HTTP codes). */
const HTTP_FACING = [
  'admin',
  'append',
  'auth',
  'aggregates',
  'commands',
  'console',
  'eventstore',
  'http',
  'observability/health',
  'query',
  'stores',
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/**
 * Codes as the sources write them: `error: 'x'` in a response body, `code = 'x'` on an error class and
 * `new HttpRequestError('x'`. (An aggregate's own codes live with the aggregate, outside src/.)
 */
const CODE_PATTERNS: readonly [RegExp, (match: RegExpMatchArray) => string][] = [
  [/\berror:\s*'([^']+)'/g, (m) => m[1]!],
  [/\bcode\s*=\s*'([^']+)'/g, (m) => m[1]!],
  [/new HttpRequestError\(\s*'([^']+)'/g, (m) => m[1]!],
];

function codesInSources(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const folder of HTTP_FACING) {
    for (const file of sourceFiles(path.join(SRC, folder))) {
      const text = readFileSync(file, 'utf8');
      for (const [pattern, codeOf] of CODE_PATTERNS) {
        for (const match of text.matchAll(pattern)) {
          const code = codeOf(match);
          found.set(code, [...(found.get(code) ?? []), path.relative(SRC, file)]);
        }
      }
    }
  }
  return found;
}

describe('error catalog', () => {
  it('has unique snake_case codes, each with an error status, a one-line meaning and where it is used', () => {
    const codes = ERROR_CATALOG.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const entry of ERROR_CATALOG) {
      expect(entry.code).toMatch(SNAKE_CASE);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
      expect(entry.meaning).toMatch(/^\S.*\S$/);
      expect(entry.meaning).not.toContain('\n');
      expect(entry.surfaces.length).toBeGreaterThan(0);
    }
  });

  it('tells snake_case from the class names and kebab-case codes answered before issue #12', () => {
    for (const bad of ['RelationalQueryError', 'SearchRequestError', 'not-yet-consistent', 'InvalidQuery']) {
      expect(bad).not.toMatch(SNAKE_CASE);
      expect(isCatalogued(bad)).toBe(false);
    }
  });

  it('catalogues every code thrown in the HTTP-facing sources, and nothing that is never thrown', () => {
    const thrown = codesInSources();
    const uncatalogued = [...thrown]
      .filter(([code]) => !isCatalogued(code))
      .map(([code, files]) => `${code} (${[...new Set(files)].join(', ')})`);
    expect(uncatalogued).toEqual([]);
    const generic = new Set<string>([400, 401, 403, 404, 413, 415, 418, 500, 503].map(genericCodeOf));
    const neverThrown = ERROR_CATALOG.map((entry) => entry.code).filter(
      (code) => !thrown.has(code) && !generic.has(code),
    );
    expect(neverThrown).toEqual([]);
  });

  it('gives a catalogued generic code to every error status', () => {
    for (let status = 400; status < 600; status++) expect(isCatalogued(genericCodeOf(status))).toBe(true);
  });

  it('is documented: the table in README.md lists every code with its status, in catalog order', () => {
    const rows = tableRowsOf(readFileSync(CATALOG_DOC, 'utf8'));
    const expected = ERROR_CATALOG.map((entry) => [
      entry.code,
      String(entry.status),
      entry.surfaces.join(', '),
      entry.meaning,
    ]);
    // On failure: npx tsx src/http/error-catalog.doc.ts
    expect(rows).toEqual(expected);
  });
});

describe('error codes declared by aggregates', () => {
  it('join the catalog with their status, and may not take one of its codes with another status', () => {
    expect(catalogEntry('widget_not_found')).toBeUndefined();
    registerDomainErrorCodes([{ code: 'widget_not_found', status: 404, meaning: 'No such widget.' }]);
    expect(catalogEntry('widget_not_found')).toEqual({
      code: 'widget_not_found',
      status: 404,
      meaning: 'No such widget.',
      surfaces: ['commands'],
    });
    expect(isCatalogued('widget_not_found')).toBe(true);
    // Declared twice alike is fine (two aggregates may throw the same code); another status is not.
    registerDomainErrorCodes([{ code: 'widget_not_found', status: 404, meaning: 'No such widget.' }]);
    expect(() =>
      registerDomainErrorCodes([{ code: 'widget_not_found', status: 422, meaning: 'Other.' }]),
    ).toThrow(/declared with status 422, but it is already answered with 404/);
    expect(() =>
      registerDomainErrorCodes([{ code: 'route_not_found', status: 422, meaning: 'Mine.' }]),
    ).toThrow(/already answered with 404/);
    expect(ERROR_CATALOG.map((entry) => entry.code)).not.toContain('widget_not_found');
    expect(errorResponseOf(new DomainRuleError('widget_broken', 'Undeclared.'))?.body.error).toBe(
      'widget_broken',
    );
  });
});

describe('ErrorResponseFilter emits only catalogued codes', () => {
  beforeAll(() =>
    registerDomainErrorCodes([{ code: 'widget_not_found', status: 404, meaning: 'No such widget.' }]),
  );
  const errors: readonly unknown[] = [
    new RequestValidationError({ name: ['name must be a string'] }),
    new InvalidIdError('orderId', 'a b'),
    new InvalidIfMatchError('x'),
    new ConflictingExpectedRevisionError(1, 2),
    new InvalidIdempotencyKeyError('a b'),
    new IdempotencyKeyReusedError('k'),
    new IdempotencyKeyInProgressError('k', 1),
    new WrongExpectedRevisionError('order-1', 1, 2),
    new DuplicateEventIdError('cart-1', '7d3b8a52-0e61-4c3e-9a4b-5f2c1d0e9b8a'),
    new EventStoreUnavailableError('postgres', 'down'),
    new HttpRequestError('credentials_in_url', 'no keys in URLs'),
    new NotFoundError('widget_not_found', 'declared below'),
    new NotFoundException('Cannot GET /nope'),
    new BadRequestException('Unexpected end of JSON input'),
    new HttpException('teapot', 418),
    new HttpException({ error: 'SomeClassName', message: 'not catalogued' }, HttpStatus.BAD_REQUEST),
    Object.assign(new Error('request entity too large'), { status: 413 }),
    Object.assign(new Error('unsupported charset "LATIN1"'), { status: 415 }),
  ];

  it.each(errors.map((error) => [(error as Error).constructor.name, error]))(
    '%s gets a catalogued code and the status the catalog lists for it',
    (_name, error) => {
      const response = errorResponseOf(error);
      expect(response).toBeDefined();
      const entry = catalogEntry(response!.body.error);
      expect(entry).toBeDefined();
      if (entry!.code !== 'request_rejected') expect(response!.status).toBe(entry!.status);
      expect(typeof response!.body.message).toBe('string');
    },
  );
});
