/**
 * What `@RequireRole` says in the OpenAPI document: the security schemes that carry a key and the 401 and
 * 403 answers, with the role the route needs. Applied by the same decorator the auth guard reads, so the
 * document cannot disagree with the guard (issue #20).
 */
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { catalogCodes, ERROR_BODY_SCHEMA } from '../http/error-catalog.openapi';
import type { Role } from './roles';

/** The two ways to send a key (src/auth/api-key.guard.ts); the names of their security schemes. */
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

const WHEN_CHECKED =
  'Keys are checked only when PRISM_API_KEYS is set; reader routes need one only with PRISM_QUERY_AUTH=keyed.';

type ClassOrMethodDecorator = ClassDecorator & MethodDecorator;

export function roleSecurityDocs(role: Role): ClassOrMethodDecorator[] {
  const needs = `Needs an API key with the ${role} role or higher.`;
  // admin_api_disabled is an auth code of admin routes only: a writer or reader route never answers it.
  const forbidden = catalogCodes(403, ['auth']).filter((code) => role === 'admin' || code === 'forbidden');
  return [
    // Queries are public by default (PRISM_QUERY_AUTH=public): `{}` says a reader route may go without.
    ...(role === 'reader' ? [ApiSecurity({})] : []),
    ApiSecurity(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    ApiUnauthorizedResponse({
      description: `No API key, or an unknown one. ${needs} ${WHEN_CHECKED} Codes: ${catalogCodes(401, ['auth']).join(', ')}.`,
      schema: ERROR_BODY_SCHEMA,
    }),
    ApiForbiddenResponse({
      description: `The key's role is too low (requiredRole says which is needed). ${needs} Codes: ${forbidden.join(', ')}.`,
      schema: ERROR_BODY_SCHEMA,
    }),
  ] as ClassOrMethodDecorator[];
}
