/**
 * Opens the `command <METHOD> <route>` span (kind SERVER) of every command request, under the caller's
 * trace when the request carries a W3C `traceparent` header, and ends it when the response is sent (its
 * status then known). A no-op when tracing is off (no TracingHandle).
 */
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Observable } from 'rxjs';
import { isCommandHandler, routeTemplateOf } from '../metrics/command-metrics.interceptor';
import { correlationIdOf } from '../../http/request-context';
import type { HttpRequest } from '../../http/http.types';
import { recordRequestTrace } from './request-trace';
import { carrierOf, contextOf } from './trace-carrier';
import { TRACER_NAME, TRACING, type TracingHandle } from './tracing.tokens';

type RoutedRequest = HttpRequest & {
  readonly baseUrl?: string;
  readonly route?: { readonly path?: unknown };
};

interface FinishingResponse {
  readonly statusCode: number;
  readonly writableFinished?: boolean;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

@Injectable()
export class CommandTracingInterceptor implements NestInterceptor {
  constructor(@Optional() @Inject(TRACING) private readonly tracing?: TracingHandle | null) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.tracing || context.getType() !== 'http' || !isCommandHandler(context.getHandler()))
      return next.handle();
    const request = context.switchToHttp().getRequest<RoutedRequest>();
    const response = context.switchToHttp().getResponse<FinishingResponse>();
    const route = routeTemplateOf(request);
    const span = trace.getTracer(TRACER_NAME).startSpan(
      `command ${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': route,
          'prism.correlation_id': correlationIdOf(request),
        },
      },
      contextOf({ traceparent: request.header('traceparent'), tracestate: request.header('tracestate') }),
    );
    const carrier = carrierOf(span.spanContext());
    if (carrier !== undefined) recordRequestTrace(request, carrier);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const status = response.statusCode;
      span.setAttribute('http.response.status_code', status);
      // Like the HTTP semantic conventions for a server: only 5xx is an error of Prism's; a 4xx is the caller's.
      if (status >= 500 || !response.writableFinished)
        span.setStatus({
          code: SpanStatusCode.ERROR,
          ...(!response.writableFinished && { message: 'connection closed before the response was sent' }),
        });
      span.end();
    };
    response.once('finish', end);
    response.once('close', end);
    return next.handle();
  }
}
