/**
 * Times command requests and counts them by outcome. A command route is one marked `@CommandRoute()`
 * (every `@CommandEndpoint` is), so new commands are measured without registering them here.
 * The status is read when the response is sent, after the exception filter chose it. Requests refused
 * before the handler (an authentication guard) are not counted.
 */
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { isCommandRoute } from '../../http/command-route.decorator';
import { PrismMetrics } from './prism-metrics';

/** The parts of Express's request and response this uses. */
interface RoutedRequest {
  readonly method: string;
  readonly baseUrl?: string;
  readonly route?: { readonly path?: unknown };
}
interface FinishingResponse {
  readonly statusCode: number;
  once(event: 'finish', listener: () => void): unknown;
}

@Injectable()
export class CommandMetricsInterceptor implements NestInterceptor {
  constructor(@Inject(PrismMetrics) private readonly metrics: PrismMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http' && isCommandHandler(context.getHandler())) {
      const started = performance.now();
      const request = context.switchToHttp().getRequest<RoutedRequest>();
      const response = context.switchToHttp().getResponse<FinishingResponse>();
      const route = routeTemplateOf(request);
      response.once('finish', () =>
        this.metrics.commandFinished({
          method: request.method,
          route,
          status: response.statusCode,
          seconds: (performance.now() - started) / 1000,
        }),
      );
    }
    return next.handle();
  }
}

/** Whether a route handler is a command route (marked `@CommandRoute()`, as `@CommandEndpoint` does). */
export function isCommandHandler(handler: object): boolean {
  return isCommandRoute(handler);
}

export function routeTemplateOf(request: RoutedRequest): string {
  const path = request.route?.path;
  return typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : 'unmatched';
}
