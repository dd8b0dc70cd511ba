/**
 * Marks a route handler as a command route, explicitly. Observability (metrics, tracing) asks
 * `isCommandRoute` instead of reading how the route is built (which interceptors Nest recorded on it), so
 * a command route is one because it says so. `@CommandEndpoint` applies it; a hand-built command route
 * can apply it on its own.
 */
import { SetMetadata } from '@nestjs/common';

export const COMMAND_ROUTE = 'prism:command-route';

export const CommandRoute = (): MethodDecorator => SetMetadata(COMMAND_ROUTE, true);

/** Whether a route handler carries the `@CommandRoute()` mark. */
export function isCommandRoute(handler: object): boolean {
  return Reflect.getMetadata(COMMAND_ROUTE, handler) === true;
}
