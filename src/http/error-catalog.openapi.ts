/**
 * Error responses for the OpenAPI document, from the error catalog: each lists the codes a route family
 * can answer with that status, so the document and the server cannot drift apart (issue #20).
 */
import type { ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { ERROR_CATALOG, type ErrorSurface } from './error-catalog';

/** The body every error has; the commands' ErrorResponseDto documents the same two fields. */
export const ERROR_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Stable snake_case error code (see the list in the description).' },
    message: { type: 'string', description: 'What happened and how to fix it.' },
  },
};

/** The catalogued codes answered with `status` on any of `surfaces`, in catalog order. */
export function catalogCodes(status: number, surfaces: readonly ErrorSurface[]): string[] {
  return ERROR_CATALOG.filter(
    (entry) => entry.status === status && entry.surfaces.some((surface) => surfaces.includes(surface)),
  ).map((entry) => entry.code);
}

/** An error response naming its codes; `schema` defaults to the plain `{ error, message }` body. */
export function errorResponse(
  status: number,
  surfaces: readonly ErrorSurface[],
  description: string,
  schema: SchemaObject | ReferenceObject = ERROR_BODY_SCHEMA,
): ResponseObject {
  const codes = catalogCodes(status, surfaces);
  return {
    description: codes.length > 0 ? `${description} Codes: ${codes.join(', ')}.` : description,
    content: { 'application/json': { schema } },
  };
}
