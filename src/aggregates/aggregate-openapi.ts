/**
 * The OpenAPI request bodies of the generated routes, from the same zod schemas that validate them
 * (z.toJSONSchema). Each generated controller carries its body schemas as metadata; setupOpenApi adds
 * them to the document's components, where the routes' `$ref`s point.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import type { Aggregate, AggregateCommand } from './aggregate.types';

export const COMPONENT_SCHEMAS = 'prism:aggregate-component-schemas';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/** The request body of a command as a JSON Schema (OpenAPI 3.0 dialect): its payload minus path fields. */
export function bodySchemaOf(command: AggregateCommand): JsonSchema {
  const schema = z.toJSONSchema(command.body, {
    io: 'input',
    target: 'openapi-3.0',
    // A type JSON Schema cannot say (a date, a transform's output) is documented as "any value".
    unrepresentable: 'any',
  }) as JsonSchema;
  const { $schema: _dialect, ...body } = schema;
  for (const field of command.pathFields) {
    if (body.properties) delete body.properties[field];
    if (body.required) body.required = body.required.filter((name) => name !== field);
  }
  if (body.required?.length === 0) delete body.required;
  return body;
}

export function componentSchemasOf(aggregate: Aggregate): Record<string, JsonSchema> {
  return Object.fromEntries(aggregate.commands.map((command) => [command.schemaName, bodySchemaOf(command)]));
}

/** Adds the body schemas of every generated controller in the app to the document's components. */
export function addAggregateSchemas(document: OpenAPIObject, app: INestApplicationContext): void {
  const modules = app.get(ModulesContainer, { strict: false });
  const schemas: Record<string, unknown> = {};
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const metatype = wrapper.metatype;
      if (typeof metatype !== 'function') continue;
      const own = Reflect.getMetadata(COMPONENT_SCHEMAS, metatype) as Record<string, unknown> | undefined;
      if (own) Object.assign(schemas, own);
    }
  }
  if (Object.keys(schemas).length === 0) return;
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...(schemas as Record<string, object>) },
  };
}
