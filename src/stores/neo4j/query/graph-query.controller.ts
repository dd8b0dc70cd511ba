import {
  Controller,
  Get,
  Headers,
  HttpException,
  HttpStatus,
  Inject,
  Optional,
  Param,
  Query,
  UseFilters,
} from '@nestjs/common';
import {
  GraphQueryParameterError,
  GraphQueryTimeoutError,
  GraphViewNotReadyError,
  UnknownGraphViewError,
  UnknownNamedQueryError,
} from './graph-query.errors';
import { ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../../../auth/require-role.decorator';
import { QueryEndpoint } from '../../../query/query-endpoint.openapi';
import { GRAPH_RESULT_SCHEMA } from './graph-query.openapi';
import { GraphQueryService, type GraphQueryResult } from './graph-query.service';
import { ConsistencyErrorFilter } from '../../../query/consistency/consistency.filter';
import { ConsistencyGate } from '../../../query/consistency/consistency.gate';
import { AFTER_HEADER } from '../../../query/consistency/consistency-token';
import { admitRead } from '../../../query/consistency/read-your-writes';

/** `GET /views/:name/graph/:query?param=...`: a named read query of a graph view, never client Cypher. */
@ApiTags('views')
@Controller('views')
@RequireRole('reader')
@UseFilters(ConsistencyErrorFilter)
export class GraphQueryController {
  constructor(
    @Inject(GraphQueryService) private readonly service: GraphQueryService,
    @Optional() @Inject(ConsistencyGate) private readonly gate?: ConsistencyGate,
  ) {}

  @Get(':name/graph/:query')
  @QueryEndpoint({
    summary: 'Run a named query of a graph view',
    description: "The query's parameters are query parameters, typed by the view's definition.",
    surface: 'graph',
    response: GRAPH_RESULT_SCHEMA,
  })
  async run(
    @Param('name') name: string,
    @Param('query') query: string,
    @Query() parameters: Record<string, unknown>,
    @Headers(AFTER_HEADER) after?: string,
  ): Promise<GraphQueryResult> {
    try {
      // Neo4j is transactional: once the gate lets the request through, the writes are visible.
      const admitted = await admitRead(this.gate, name, parameters, after);
      return await this.service.run(name, query, admitted.parameters);
    } catch (error) {
      throw httpError(error);
    }
  }
}

function httpError(error: unknown): unknown {
  if (error instanceof UnknownGraphViewError || error instanceof UnknownNamedQueryError) {
    return new HttpException({ error: error.code, message: error.message }, HttpStatus.NOT_FOUND);
  }
  if (error instanceof GraphQueryParameterError) {
    return new HttpException(
      { error: error.code, message: error.message, parameter: error.parameter },
      HttpStatus.BAD_REQUEST,
    );
  }
  if (error instanceof GraphViewNotReadyError) {
    return new HttpException({ error: error.code, message: error.message }, HttpStatus.SERVICE_UNAVAILABLE);
  }
  if (error instanceof GraphQueryTimeoutError) {
    return new HttpException({ error: error.code, message: error.message }, HttpStatus.GATEWAY_TIMEOUT);
  }
  return error;
}
