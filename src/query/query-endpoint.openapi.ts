/**
 * The OpenAPI description every query route shares (relational, search, graph): a summary, the
 * read-your-writes token (`?after`, `?wait`, or the optional X-Prism-After header, consistency-token.ts)
 * and the error answers, whose codes come from the error catalog (issue #20).
 */
import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ERROR_CATALOG, type ErrorSurface } from '../http/error-catalog';
import { errorResponse } from '../http/error-catalog.openapi';
import { AFTER_HEADER, DEFAULT_READ_WAIT_MS } from './consistency/consistency-token';

export interface QueryEndpointOptions {
  readonly summary: string;
  readonly description?: string;
  /** The route family, for the error codes it can answer. */
  readonly surface: Extract<ErrorSurface, 'relational' | 'search' | 'graph'>;
  /** The 200 body (a view's own paths replace it with the view's schema, view-openapi.ts). */
  readonly response: SchemaObject | ReferenceObject;
  /** GET answers carry Express's weak ETag and answer 304 to a matching If-None-Match; POST does not. */
  readonly method?: 'get' | 'post';
}

const ETAG = {
  ETag: {
    description: "A weak validator of the body (Express's): send it back as If-None-Match.",
    schema: { type: 'string', example: 'W/"2a-1Jf0RMbFhx7G8k4u0R4gKQ"' },
  },
};

const POSITION = { type: 'string', pattern: '^[0-9]{1,19}$', example: '1042' } as const;

export function QueryEndpoint({
  summary,
  description,
  surface,
  response,
  method = 'get',
}: QueryEndpointOptions): MethodDecorator {
  const surfaces: ErrorSurface[] = ['queries', surface];
  // Any other status a code of these surfaces is answered with (504 query_timeout on graph queries).
  const others = [
    ...new Set(
      ERROR_CATALOG.filter(
        (entry) =>
          ![400, 404, 503].includes(entry.status) && entry.surfaces.some((s) => surfaces.includes(s)),
      ).map((entry) => entry.status),
    ),
  ];
  const bad = errorResponse(400, surfaces, 'A parameter is invalid; the body names it.');
  const missing = errorResponse(404, surfaces, 'No such view (or row, template, named query).');
  const unavailable = errorResponse(
    503,
    surfaces,
    'The view is not ready, its store is unavailable, or it had not processed `after` in time.',
  );
  return applyDecorators(
    ApiOperation({ summary, ...(description !== undefined && { description }) }),
    ApiQuery({
      name: 'after',
      required: false,
      schema: POSITION,
      description:
        'Read-your-writes: answer only once the view has processed this log position (the `position` a ' +
        'command answered with).',
    }),
    ApiQuery({
      name: 'wait',
      required: false,
      schema: { type: 'integer', minimum: 0 },
      description: `With \`after\`: how long to wait for it, in milliseconds (default ${DEFAULT_READ_WAIT_MS}, capped by PRISM_READ_WAIT_MAX_MS).`,
    }),
    ApiHeader({
      name: AFTER_HEADER,
      required: false,
      schema: POSITION,
      description: 'The same token as `?after`, as a header (give one or both with the same value).',
    }),
    // Explicit: without decorator metadata (tsx) Nest's Swagger module infers no 200 of its own.
    ApiOkResponse({
      description: "The view's answer.",
      schema: response,
      ...(method === 'get' && { headers: ETAG }),
    }),
    ...(method === 'get'
      ? [
          ApiHeader({
            name: 'If-None-Match',
            required: false,
            schema: { type: 'string' },
            description: 'The ETag of an earlier answer: 304 without a body while the answer is the same.',
          }),
          ApiResponse({
            status: 304,
            description: 'Not modified: the answer is still the one of `If-None-Match`.',
            headers: ETAG,
          }),
        ]
      : []),
    ...others.map((status) =>
      ApiResponse({ status, ...errorResponse(status, surfaces, 'The query could not be answered.') }),
    ),
    ApiResponse({ status: 400, ...bad }),
    ApiResponse({ status: 404, ...missing }),
    ApiResponse({
      status: 503,
      ...unavailable,
      headers: {
        'Retry-After': {
          description: 'With not_yet_consistent: seconds to wait before asking again.',
          schema: { type: 'integer' },
        },
      },
    }),
  );
}
