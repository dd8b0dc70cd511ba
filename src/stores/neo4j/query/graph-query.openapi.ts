/**
 * The graph query API in the OpenAPI document (issue #20): the answer of a named query, and each graph
 * view's own paths, one per named query with its declared, typed parameters.
 */
import type { SchemaObject } from '@nestjs/swagger';
import { namedQueryParameters, type DescribeView } from '../../../query/view-openapi';
import { isNeo4jShape } from '../neo4j-view-shape';

/** A named query's answer (graph-query.service.ts GraphQueryResult); a row's columns are its RETURN's. */
export const GRAPH_RESULT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['view', 'query', 'generation', 'columns', 'rows', 'truncated'],
  properties: {
    view: { type: 'string' },
    query: { type: 'string' },
    generation: { type: 'integer', description: 'The generation the answer was read from.' },
    columns: { type: 'array', items: { type: 'string' } },
    rows: {
      type: 'array',
      items: { type: 'object', additionalProperties: true, description: 'One value per column.' },
    },
    truncated: { type: 'boolean', description: 'True when the rows were cut at the row limit.' },
  },
};

export const describeGraphView: DescribeView = (projection) => {
  if (!isNeo4jShape(projection.target)) return undefined;
  return {
    operations: Object.values(projection.queries).map((query) => ({
      route: '/views/{name}/graph/{query}',
      method: 'get' as const,
      bind: { name: projection.name, query: query.name },
      summary: `Run the named query ${query.name} of ${projection.name}`,
      parameters: namedQueryParameters(query.parameters),
      response: GRAPH_RESULT_SCHEMA,
    })),
  };
};
