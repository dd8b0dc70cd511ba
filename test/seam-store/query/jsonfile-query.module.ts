/**
 * The jsonfile store's query API: `GET /views/:name/documents/:key` reads one document of the active
 * generation through the store's one client. (`/views/:name/:key` is the relational API's catch-all, so
 * this store takes a path with a fixed segment of its own.) Errors use the catalog's generic view codes.
 */
import {
  Controller,
  type DynamicModule,
  Get,
  HttpException,
  HttpStatus,
  Inject,
  Module,
  Param,
} from '@nestjs/common';
import { RequireRole } from '../../../src/auth/require-role.decorator';
import type { ViewDocument } from '../../../src/core/plan';
import type { StoreQueryHost, StoreQueryHostProvider } from '../../../src/stores/store-connection';
import type { JsonFileClient } from '../jsonfile-client';
import { JsonFileTarget } from '../jsonfile.target';
import { isJsonFileShape } from '../jsonfile-view-shape';

const JSONFILE_QUERY_HOST = Symbol('JSONFILE_QUERY_HOST');

function refusal(status: HttpStatus, error: string, message: string): HttpException {
  return new HttpException({ statusCode: status, error, message }, status);
}

@Controller('views')
@RequireRole('reader')
export class JsonFileQueryController {
  constructor(@Inject(JSONFILE_QUERY_HOST) private readonly host: StoreQueryHost<JsonFileClient>) {}

  @Get(':name/documents/:key')
  async get(@Param('name') name: string, @Param('key') key: string): Promise<ViewDocument> {
    const collections = this.host.projections.flatMap((p) =>
      isJsonFileShape(p.target) ? [p.target.collection] : [],
    );
    if (!collections.includes(name))
      throw refusal(
        HttpStatus.NOT_FOUND,
        'unknown_view',
        `No jsonfile view is named "${name}" (known: ${collections.join(', ') || 'none'}).`,
      );
    const target = this.host.target();
    const documents = target instanceof JsonFileTarget ? await target.readActive(name) : undefined;
    if (documents === undefined)
      throw refusal(
        HttpStatus.SERVICE_UNAVAILABLE,
        'view_not_ready',
        `The view "${name}" has no active generation yet.`,
      );
    const document = documents[key];
    if (document === undefined)
      throw refusal(
        HttpStatus.NOT_FOUND,
        'row_not_found',
        `The view "${name}" has no document with key "${key}".`,
      );
    return document;
  }
}

@Module({})
export class JsonFileQueryModule {
  static register(host: StoreQueryHostProvider<JsonFileClient>): DynamicModule {
    return {
      module: JsonFileQueryModule,
      imports: [...host.imports],
      controllers: [JsonFileQueryController],
      providers: [{ provide: JSONFILE_QUERY_HOST, inject: [...host.inject], useFactory: host.useFactory }],
    };
  }
}
