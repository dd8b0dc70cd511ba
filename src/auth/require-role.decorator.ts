/**
 * Marks a controller (class) or a route (method) with the role its callers need. The global auth guard
 * reads it; a route without it (health, metrics, docs) is open. A method's role overrides its class's.
 * It also documents the route's security schemes, 401 and 403 in OpenAPI (role-security.openapi.ts).
 */
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { roleSecurityDocs } from './role-security.openapi';
import type { Role } from './roles';

export const REQUIRED_ROLE = 'prism:required-role';

export const RequireRole = (role: Role): ClassDecorator & MethodDecorator =>
  applyDecorators(SetMetadata(REQUIRED_ROLE, role), ...roleSecurityDocs(role));
