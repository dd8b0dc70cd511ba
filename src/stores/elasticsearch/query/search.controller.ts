import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Optional,
  Param,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import { errors } from '@elastic/elasticsearch';
import {
  RawQueryRejectedError,
  SearchRequestError,
  UnknownSearchTemplateError,
  UnknownSearchViewError,
} from './search.errors';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../../../auth/require-role.decorator';
import { QueryEndpoint } from '../../../query/query-endpoint.openapi';
import { RAW_SEARCH_BODY_SCHEMA, SearchParameters, searchResultSchema } from './search.openapi';
import { SearchService, type SearchResult } from './search.service';
import { elasticsearchReason } from './elasticsearch-reason';
import { classifyElasticsearchError } from '../elasticsearch-error-classifier';
import { ConsistencyErrorFilter } from '../../../query/consistency/consistency.filter';
import { ConsistencyGate } from '../../../query/consistency/consistency.gate';
import { AFTER_HEADER } from '../../../query/consistency/consistency-token';
import { admitRead } from '../../../query/consistency/read-your-writes';

/** Search over Elasticsearch views; every failure a caller can fix is a 4xx that says how. */
@ApiTags('views')
@Controller('views/:name/search')
@RequireRole('reader')
@UseFilters(ConsistencyErrorFilter)
export class SearchController {
  constructor(
    @Inject(SearchService) private readonly search: SearchService,
    @Optional() @Inject(ConsistencyGate) private readonly gate?: ConsistencyGate,
  ) {}

  @Get()
  @QueryEndpoint({
    summary: 'Search a search view',
    description:
      'Full-text query, filters (`filter.<field>`, `filter.<field>.<gt|gte|lt|lte>`: see each view’s own path), facets, sort and paging.',
    surface: 'search',
    response: searchResultSchema(),
  })
  @SearchParameters()
  async find(
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
    @Headers(AFTER_HEADER) after?: string,
  ): Promise<SearchResult> {
    return this.answer(async () => this.search.search(name, await this.consistent(name, query, after)));
  }

  // A search reads; it creates nothing, so 200 rather than POST's default 201 (issue #12).
  @Post('raw')
  @HttpCode(HttpStatus.OK)
  @QueryEndpoint({
    summary: 'Search a search view with an Elasticsearch query body',
    description:
      'The body is Elasticsearch query DSL, checked against an allow-list (raw_query_rejected names the path).',
    surface: 'search',
    response: searchResultSchema(),
    method: 'post',
  })
  @ApiBody({ required: true, schema: RAW_SEARCH_BODY_SCHEMA })
  async raw(
    @Param('name') name: string,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Headers(AFTER_HEADER) after?: string,
  ): Promise<SearchResult> {
    return this.answer(async () => {
      await this.consistent(name, query, after);
      return this.search.raw(name, body);
    });
  }

  @Get(':template')
  @QueryEndpoint({
    summary: "Run a search view's named template",
    description: "The template's parameters are query parameters, typed by the view's definition.",
    surface: 'search',
    response: searchResultSchema(),
  })
  async template(
    @Param('name') name: string,
    @Param('template') template: string,
    @Query() query: Record<string, unknown>,
    @Headers(AFTER_HEADER) after?: string,
  ): Promise<SearchResult> {
    return this.answer(async () =>
      this.search.template(name, template, await this.consistent(name, query, after)),
    );
  }

  /** Read-your-writes: waits for the token, then one (coalesced) refresh makes those writes searchable. */
  private async consistent(
    name: string,
    query: Record<string, unknown>,
    after: string | undefined,
  ): Promise<Record<string, unknown>> {
    const { parameters, progress } = await admitRead(this.gate, name, query, after);
    if (progress !== undefined) await this.search.refreshForRead(name, progress);
    return parameters;
  }

  private async answer(work: () => Promise<SearchResult>): Promise<SearchResult> {
    try {
      return await work();
    } catch (error) {
      throw toHttpError(error);
    }
  }
}

function toHttpError(error: unknown): unknown {
  if (error instanceof UnknownSearchViewError || error instanceof UnknownSearchTemplateError) {
    return new HttpException(
      { statusCode: 404, error: error.code, message: error.message },
      HttpStatus.NOT_FOUND,
    );
  }
  if (error instanceof SearchRequestError) {
    return new HttpException(
      { statusCode: 400, error: error.code, message: error.message, field: error.field },
      HttpStatus.BAD_REQUEST,
    );
  }
  if (error instanceof RawQueryRejectedError) {
    return new HttpException(
      { statusCode: 400, error: error.code, message: error.message, path: error.path },
      HttpStatus.BAD_REQUEST,
    );
  }
  if (error instanceof errors.ResponseError && error.statusCode === 400) {
    // A query Elasticsearch cannot run (malformed, too many buckets...): the caller's to fix.
    return new HttpException(
      {
        statusCode: 400,
        error: 'invalid_search_query',
        message: `Elasticsearch rejected the query: ${elasticsearchReason(error)}`,
      },
      HttpStatus.BAD_REQUEST,
    );
  }
  if (classifyElasticsearchError(error) === 'transient') {
    // Elasticsearch is unreachable or busy (connection refused, timeout, 429/502/503/504): the request was
    // fine and retrying later will do, so 503 as the other stores answer, never a 500 (issue #20).
    return new HttpException(
      {
        statusCode: 503,
        error: 'view_store_unavailable',
        // The error's class only: a connection error's message may quote the cluster's address.
        message: `Elasticsearch is unavailable (${error instanceof Error ? error.name : 'error'}); retry the request later.`,
      },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  if (error instanceof errors.ResponseError && error.statusCode === 404) {
    return new HttpException(
      {
        statusCode: 503,
        error: 'view_not_ready',
        message: 'The view has no active generation yet; wait until its projection is activated.',
      },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  return error;
}
