/**
 * What every Prism route has in common, applied to Prism's own routes only, so a team's app keeps its own
 * error format and request handling on its routes (issue #14):
 *  - the request checks: correlation id, the drain gate, no credential in the URL, JSON bodies only, the
 *    log context (src/http/README.md "Request limits");
 *  - the error format (`{ error, message, ... }` from the catalog, error-response.filter.ts), as a filter on
 *    each Prism controller rather than an app-wide one.
 * The ready-made server (src/app.module.ts) applies the same checks and filter to every route, matched or
 * not; the checks run once per request either way.
 */
import type { ArgumentsHost, Type } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { credentialsInUrlMiddleware } from '../auth/credentials-in-url.middleware';
import { correlationIdMiddleware } from '../http/correlation-id.middleware';
import { ErrorResponseFilter } from '../http/error-response.filter';
import type { HttpRequest, HttpResponse, NextFunction } from '../http/http.types';
import { jsonContentTypeMiddleware } from '../http/json-content-type.middleware';
import type { ModuleRef } from '@nestjs/core';
import { SHUTDOWN_GATE } from '../lifecycle/lifecycle.module';
import type { ShutdownGate } from '../lifecycle/shutdown-gate';
import { shutdownGateMiddleware } from '../lifecycle/shutdown-gate.middleware';
import { logContextMiddleware } from '../observability/logging/log-context';

type Middleware = (request: HttpRequest, response: HttpResponse, next: NextFunction) => void;

/** Set on a request once its checks ran (a route can be covered twice: the server's `*` and a module's). */
const CHECKED = Symbol('prism.requestChecked');

/**
 * The request checks as one middleware. A refused request is answered here in Prism's error format: an
 * error passed on from a middleware reaches only the app-wide filters, which in a team's app are its own.
 */
export function prismRequestChecks(gate: ShutdownGate): Middleware {
  const steps: Middleware[] = [
    correlationIdMiddleware,
    // A draining node refuses new commands before anything else reads them (issue #18).
    shutdownGateMiddleware(gate) as Middleware,
    // A credential in the URL is refused before anything logs the URL (issue #12 item 4).
    credentialsInUrlMiddleware,
    jsonContentTypeMiddleware,
    logContextMiddleware,
  ];
  const errors = new ErrorResponseFilter();
  return (request, response, next) => {
    const marked = request as HttpRequest & { [CHECKED]?: true };
    if (marked[CHECKED]) {
      next();
      return;
    }
    marked[CHECKED] = true;
    const run = (index: number): void => {
      const step = steps[index];
      if (step === undefined) {
        next();
        return;
      }
      step(request, response, (error?: unknown) => {
        if (error === undefined) run(index + 1);
        else errors.catch(error, httpHost(request, response, next));
      });
    };
    run(0);
  };
}

/**
 * The app's drain gate (global, from PrismModule), as a mountable module finds it. Through ModuleRef
 * rather than a constructor parameter of its own type, so the modules' public signatures name only Nest.
 */
export function shutdownGateOf(moduleRef: ModuleRef): ShutdownGate {
  return moduleRef.get<ShutdownGate>(SHUTDOWN_GATE, { strict: false });
}

/** The request as an exception filter sees it (the filter reads only its HTTP side). */
function httpHost(request: HttpRequest, response: HttpResponse, next: NextFunction): ArgumentsHost {
  const http = { getRequest: () => request, getResponse: () => response, getNext: () => next };
  return {
    getType: () => 'http',
    getArgs: () => [request, response, next],
    getArgByIndex: (index: number) => [request, response, next][index],
    switchToHttp: () => http,
  } as unknown as ArgumentsHost;
}

/**
 * Puts Prism's error filter on each controller (before its own filters, so those still catch first:
 * Nest tries a controller's filters last-declared first). Idempotent; returns the controllers.
 */
export function withPrismErrorFormat<T extends readonly Type[]>(controllers: T): T {
  for (const controller of controllers) {
    const filters = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, controller) ?? []) as unknown[];
    if (!filters.includes(ErrorResponseFilter))
      Reflect.defineMetadata(EXCEPTION_FILTERS_METADATA, [ErrorResponseFilter, ...filters], controller);
  }
  return controllers;
}
