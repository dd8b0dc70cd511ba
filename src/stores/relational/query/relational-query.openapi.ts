/**
 * The control parameters of `GET /views/{name}` and `GET /views/{name}/{key}` in OpenAPI, with the limits
 * the parser enforces (relational-query.parser.ts). Filters are per column, so they are per view: each
 * view's own paths carry them (describeRelationalView, issue #20).
 */
import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { componentName, type DescribeView } from '../../../query/view-openapi';
import { columnNames } from '../relational-shape';
import { isRelationalShape, type RelationalColumnType } from '../relational-view-shape';
import { CONTROL_PARAMETERS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, RANGE_TYPES } from './relational-query.parser';

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

/** A column's value as the query API answers it (postgres.dialect.ts `decode`: int8 and numeric as numbers). */
const COLUMN_SCHEMAS: Readonly<Record<RelationalColumnType, SchemaObject>> = {
  text: { type: 'string' },
  integer: { type: 'integer' },
  bigint: { type: 'integer' },
  double: { type: 'number' },
  numeric: { type: 'number' },
  boolean: { type: 'boolean' },
  // No `format: date-time`: PostgreSQL answers ISO 8601 from toISOString, but SQLite answers the text as
  // written, which may be any form Date.parse reads (e.g. a bare date).
  timestamptz: { type: 'string', description: 'A timestamp (ISO 8601 on PostgreSQL).' },
  jsonb: {},
  uuid: { type: 'string', format: 'uuid' },
};

/** The generic answers, before a view's own schema is known. */
export const RELATIONAL_ROW_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: true,
  description: "A row: the view's columns (`fields` selects which).",
};
export const RELATIONAL_PAGE_SCHEMA = pageOf(RELATIONAL_ROW_SCHEMA);

function pageOf(row: SchemaObject | ReferenceObject): SchemaObject {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: row },
      nextCursor: {
        type: 'string',
        nullable: true,
        description: 'Pass as `cursor` for the next page; null on the last page.',
      },
    },
  };
}

/**
 * A relational view's own paths: its list with a filter parameter per column operator the parser accepts,
 * and its row by key, both answering its row schema. Every column is optional in the schema because
 * `fields` selects which ones a row carries; none is ever added.
 */
export const describeRelationalView: DescribeView = (projection) => {
  if (!isRelationalShape(projection.target)) return undefined;
  const shape = projection.target;
  const rowName = `${componentName(projection.name)}Row`;
  const columns = columnNames(shape);
  const row: SchemaObject = {
    type: 'object',
    additionalProperties: false,
    description: `A row of ${projection.name} (key: ${shape.key}). Every column unless \`fields\` selects some.`,
    properties: Object.fromEntries(
      columns.map((name) => {
        const column = shape.columns[name]!;
        const schema = COLUMN_SCHEMAS[column.type];
        return [name, column.nullable && name !== shape.key ? { ...schema, nullable: true } : schema];
      }),
    ),
  };
  const rowRef = { $ref: `#/components/schemas/${rowName}` };
  const fieldsParameter: ParameterObject = {
    name: 'fields',
    in: 'query',
    required: false,
    description: 'Comma-separated columns to answer with (default: all).',
    schema: { type: 'string', example: columns.slice(0, 2).join(',') },
  };
  return {
    schemas: { [rowName]: row },
    operations: [
      {
        route: '/views/{name}',
        method: 'get',
        bind: { name: projection.name },
        summary: `List the rows of ${projection.name}`,
        description: `Filters are per column: \`col=v\`, \`col[in]=a,b\` and, on ordered columns, \`col[gt|gte|lt|lte]=v\`. Columns: ${columns.join(', ')}.`,
        dropParameters: ['fields'],
        parameters: [
          fieldsParameter,
          ...columns.flatMap((name) => filterParameters(name, shape.columns[name]!.type)),
        ],
        response: pageOf(rowRef),
      },
      {
        route: '/views/{name}/{key}',
        method: 'get',
        bind: { name: projection.name },
        summary: `Get one row of ${projection.name} by ${shape.key}`,
        dropParameters: ['fields'],
        parameters: [fieldsParameter],
        response: rowRef,
      },
    ],
  };
};

function filterParameters(column: string, type: RelationalColumnType): ParameterObject[] {
  if (type === 'jsonb') return [];
  const value = COLUMN_SCHEMAS[type];
  const parameter = (name: string, schema: SchemaObject, description: string): ParameterObject => ({
    name,
    in: 'query',
    required: false,
    description,
    schema,
  });
  // A column named like a control parameter (limit, sort...) is filtered as `col[eq]` only.
  const equality = CONTROL_PARAMETERS.includes(column) ? `${column}[eq]` : column;
  return [
    parameter(equality, value, `Rows whose ${column} equals this.`),
    parameter(`${column}[in]`, { type: 'string' }, `Rows whose ${column} is any of these (comma-separated).`),
    ...(RANGE_TYPES.has(type)
      ? (['gt', 'gte', 'lt', 'lte'] as const).map((operator) =>
          parameter(`${column}[${operator}]`, value, `Rows whose ${column} is ${operator} this.`),
        )
      : []),
  ];
}
