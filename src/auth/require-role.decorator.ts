/**
 * Marks a controller (class) or a route (method) with the role its callers need. The global auth guard
 * reads it; a route without it (health, metrics, docs) is open. A method's role overrides its class's.
 */
import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles';

export const REQUIRED_ROLE = 'prism:required-role';

export const RequireRole = (role: Role): ClassDecorator & MethodDecorator => SetMetadata(REQUIRED_ROLE, role);
