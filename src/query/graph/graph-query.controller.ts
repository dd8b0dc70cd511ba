import {
  BadRequestException,
  Controller,
  Get,
  GatewayTimeoutException,
  Inject,
  NotFoundException,
  Param,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  GraphQueryParameterError,
  GraphQueryTimeoutError,
  GraphViewNotReadyError,
  UnknownGraphViewError,
  UnknownNamedQueryError,
} from './graph-query.errors';
import { GraphQueryService, type GraphQueryResult } from './graph-query.service';

/** `GET /views/:name/graph/:query?param=...`: a named read query of a graph view, never client Cypher. */
@Controller('views')
export class GraphQueryController {
  constructor(@Inject(GraphQueryService) private readonly service: GraphQueryService) {}

  @Get(':name/graph/:query')
  async run(
    @Param('name') name: string,
    @Param('query') query: string,
    @Query() parameters: Record<string, unknown>,
  ): Promise<GraphQueryResult> {
    try {
      return await this.service.run(name, query, parameters);
    } catch (error) {
      throw httpError(error);
    }
  }
}

function httpError(error: unknown): unknown {
  if (error instanceof UnknownGraphViewError || error instanceof UnknownNamedQueryError) {
    return new NotFoundException(error.message);
  }
  if (error instanceof GraphQueryParameterError) {
    return new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: error.message,
      parameter: error.parameter,
    });
  }
  if (error instanceof GraphViewNotReadyError) return new ServiceUnavailableException(error.message);
  if (error instanceof GraphQueryTimeoutError) return new GatewayTimeoutException(error.message);
  return error;
}
