import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addAdminSchemas } from '../admin/admin.openapi';
import { addAggregateSchemas } from '../aggregates/aggregate-openapi';
import { API_KEY_HEADER } from '../auth/api-key.guard';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../auth/role-security.openapi';
import { ProjectionsService } from '../projection-host/projections.service';
import { addViewOperations, type ViewOpenApi } from '../query/view-openapi';
import { storeModules } from '../stores/registry';
import { addMissingPathParameters } from './openapi-path-parameters';

/** Swagger UI at /docs and the OpenAPI JSON at /docs-json, generated from the controllers and DTOs. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Prism')
    .setDescription(
      'Commands of the defined aggregates, the append API, the query APIs of the views and the admin API. ' +
        'Every command appends events to one stream atomically and answers { id, streamId, revision, ' +
        'position }; position is a read-your-writes token (`?after=` on the query routes).',
    )
    .setVersion('0.1.0')
    // Relative to where the document is served: the same host and port as the API itself. OpenAPI's
    // default, but an empty `servers` list is invalid (issue #20).
    .addServer('/')
    // An API key from PRISM_API_KEYS, sent either way (src/auth/api-key.guard.ts). Keys are opaque
    // strings, not JWTs, so no bearerFormat. Which role each route needs is documented per operation by
    // @RequireRole; without PRISM_API_KEYS (development) no key is checked.
    .addSecurity(BEARER_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: 'An API key from PRISM_API_KEYS (role:key or role:name:key entries).',
    })
    .addSecurity(API_KEY_SCHEME, {
      type: 'apiKey',
      in: 'header',
      name: API_KEY_HEADER,
      description: 'The same API key, in the X-API-Key header instead of Authorization.',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // The request bodies of defined aggregates' routes: JSON Schemas from their zod payloads.
  addAggregateSchemas(document, app);
  addAdminSchemas(document);
  addMissingPathParameters(document);
  addViewOperations(document, servedViews(app));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

/**
 * Every loaded view a configured store serves, described by its store's query API: a store that is not
 * configured serves no view (ProjectionsService.queryHost gives it none), so none is documented.
 */
function servedViews(app: INestApplication): ViewOpenApi[] {
  let projections: ProjectionsService;
  try {
    projections = app.get(ProjectionsService, { strict: false });
  } catch {
    return []; // An app mounting no projections (PrismModule without them) has no views.
  }
  return storeModules().flatMap((module) => {
    const describe = module.connection.query?.describeView;
    if (describe === undefined) return [];
    return projections.queryHost(module.kind).projections.flatMap((projection) => describe(projection) ?? []);
  });
}
