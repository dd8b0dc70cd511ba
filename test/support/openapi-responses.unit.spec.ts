/** The response checker flags what the e2e tests rely on it to flag (it must be able to fail). */
import { OpenApiResponseChecker, type OpenApiDocument } from './openapi-responses';

const document: OpenApiDocument = {
  paths: {
    '/views/{name}': {
      get: {
        responses: {
          '200': { description: 'generic', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/views/order_summary': {
      get: {
        responses: {
          '200': {
            description: 'ok',
            headers: { ETag: { schema: { type: 'string' }, required: true } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Row' } } },
          },
          '304': { description: 'not modified' },
        },
      },
    },
  },
  components: {
    schemas: {
      Row: {
        type: 'object',
        required: ['total'],
        additionalProperties: false,
        properties: { total: { type: 'integer' }, city: { type: 'string', nullable: true } },
      },
    },
  },
};

describe('OpenApiResponseChecker', () => {
  const checker = new OpenApiResponseChecker(document);
  const answer = (status: number, body: unknown, headers: Record<string, string> = { etag: 'W/"1"' }) =>
    checker.check({ method: 'GET', path: '/views/order_summary', status, headers, body });

  it('prefers a literal path to a parameter', () => {
    expect(checker.route('get', '/views/order_summary')).toBe('/views/order_summary');
    expect(checker.route('get', '/views/other')).toBe('/views/{name}');
    expect(checker.route('post', '/views/other')).toBeUndefined();
  });

  it('accepts a matching answer, with null where the schema is nullable, and a 304 without a body', () => {
    expect(answer(200, { total: 3, city: null })).toEqual([]);
    expect(answer(304, {})).toEqual([]);
  });

  it('flags an undocumented status, a body off its schema, and a missing required header', () => {
    expect(answer(500, { error: 'internal_error' })).toEqual([
      expect.stringContaining('status 500 is not documented (200, 304)'),
    ]);
    expect(answer(200, { total: '3' })).toEqual([expect.stringContaining('must be integer')]);
    expect(answer(200, { total: 3, extra: 1 })).toEqual([
      expect.stringContaining('must NOT have additional properties'),
    ]);
    expect(answer(200, { total: 3 }, {})).toEqual([
      expect.stringContaining('required header ETag is missing'),
    ]);
    expect(answer(304, { total: 3 })).toEqual([expect.stringContaining('describes none')]);
  });
});
