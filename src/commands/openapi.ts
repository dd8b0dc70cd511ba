import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addAggregateSchemas } from '../aggregates/aggregate-openapi';

/** Swagger UI at /docs and the OpenAPI JSON at /docs-json, generated from the controllers and DTOs. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Prism')
    .setDescription(
      'Commands of the example marketplace domain. Every command appends events to one stream atomically ' +
        'and answers { id, streamId, revision, position }; position is a read-your-writes token.',
    )
    .setVersion('0.1.0')
    // One scheme for every route: commands need a writer key, /admin an admin key, queries a reader key
    // when PRISM_QUERY_AUTH=keyed (see src/auth). Without PRISM_API_KEYS (development) it is ignored.
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description:
        'An API key from PRISM_API_KEYS (role:key or role:name:key entries); also accepted as X-API-Key.',
    })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // The request bodies of defined aggregates' routes: JSON Schemas from their zod payloads.
  addAggregateSchemas(document, app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
