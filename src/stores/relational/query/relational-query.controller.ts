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
import { ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../../../auth/require-role.decorator';
import { QueryEndpoint } from '../../../query/query-endpoint.openapi';
import {
  RELATIONAL_PAGE_SCHEMA,
  RELATIONAL_ROW_SCHEMA,
  RelationalListParameters,
  RelationalRowParameters,
} from './relational-query.openapi';
import { classifyError, errorMessage } from '../../../runtime/error-classifier';
import { ConsistencyErrorFilter } from '../../../query/consistency/consistency.filter';
import { ConsistencyGate } from '../../../query/consistency/consistency.gate';
import { AFTER_HEADER } from '../../../query/consistency/consistency-token';
import { admitRead } from '../../../query/consistency/read-your-writes';
import {
  NotARelationalViewError,
  RelationalQueryError,
  RelationalViewNotReadyError,
  RowNotFoundError,
  UnknownRelationalViewError,
} from './relational-query.errors';
import { RelationalQueryService, type RelationalPage, type Row } from './relational-query.service';

/**
 * `GET /views/:name` (filter, sort, page, select) and `GET /views/:name/:key` over the relational views
 * (PostgreSQL or embedded SQLite). Both take `?after=<position>` for read-your-writes.
 */
@ApiTags('views')
@Controller('views')
@RequireRole('reader')
@UseFilters(ConsistencyErrorFilter)
export class RelationalQueryController {
  constructor(
    @Inject(RelationalQueryService) private readonly service: RelationalQueryService,
    @Optional() @Inject(ConsistencyGate) private readonly gate?: ConsistencyGate,
  ) {}

  @Get(':name')
  @QueryEndpoint({
    summary: 'List the rows of a relational view',
    description: 'Filters, sort, limit, cursor and fields as query parameters (see the README).',
    surface: 'relational',
    response: RELATIONAL_PAGE_SCHEMA,
  })
  @RelationalListParameters()
  async list(
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
    @Headers(AFTER_HEADER) after?: string,
  ): Promise<RelationalPage> {
    try {
      const { parameters } = await admitRead(this.gate, name, query, after);
      return await this.service.list(name, parameters);
    } catch (error) {
      throw httpError(error);
    }
  }

  @Get(':name/:key')
  @QueryEndpoint({
    summary: 'Get one row of a relational view by its key',
    surface: 'relational',
    response: RELATIONAL_ROW_SCHEMA,
  })
  @RelationalRowParameters()
  async get(
    @Param('name') name: string,
    @Param('key') key: string,
    @Query() query: Record<string, unknown>,
    @Headers(AFTER_HEADER) after?: string,
  ): Promise<Row> {
    try {
      const { parameters } = await admitRead(this.gate, name, query, after);
      return await this.service.get(name, key, parameters);
    } catch (error) {
      throw httpError(error);
    }
  }
}

function httpError(error: unknown): unknown {
  if (
    error instanceof UnknownRelationalViewError ||
    error instanceof NotARelationalViewError ||
    error instanceof RowNotFoundError
  ) {
    return new HttpException(
      { statusCode: 404, error: error.code, message: error.message },
      HttpStatus.NOT_FOUND,
    );
  }
  if (error instanceof RelationalQueryError) {
    return new HttpException(
      {
        statusCode: 400,
        error: error.code,
        message: error.message,
        field: error.field,
        parameter: error.parameter,
      },
      HttpStatus.BAD_REQUEST,
    );
  }
  if (error instanceof RelationalViewNotReadyError) {
    return new HttpException(
      { statusCode: 503, error: error.code, message: error.message },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  if (classifyError(error) === 'transient') {
    // The view database is unreachable or busy: the caller's request is fine, retrying later will do.
    return new HttpException(
      {
        statusCode: 503,
        error: 'view_store_unavailable',
        message: `The relational view store is unavailable (${errorMessage(error)}); retry the request later.`,
      },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  return error;
}
