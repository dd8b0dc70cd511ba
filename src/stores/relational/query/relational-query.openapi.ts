/**
 * The control parameters of `GET /views/{name}` and `GET /views/{name}/{key}` in OpenAPI, with the limits
 * the parser enforces (relational-query.parser.ts). Filters are per column, so they are per view: issue #20
 * adds them with each view's own path.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './relational-query.parser';

// A fresh decorator per use: Swagger's decorators extend metadata they keep between calls.
const fields = (): MethodDecorator =>
  ApiQuery({
    name: 'fields',
    required: false,
    schema: { type: 'string' },
    description: 'Comma-separated columns to answer with (default: all).',
  });

export const RelationalListParameters = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({
      name: 'sort',
      required: false,
      schema: { type: 'string' },
      description: 'Comma-separated columns; a leading `-` sorts that column descending.',
    }),
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
      description: 'Rows per page.',
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      schema: { type: 'string' },
      description: 'The `nextCursor` of the previous page.',
    }),
    fields(),
  );

export const RelationalRowParameters = (): MethodDecorator => fields();
