import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HttpRequest } from './http.types';
import { commandContextOf } from './request-context';

/** Injects the request's CommandContext into a controller method. */
export const CommandCtx = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  commandContextOf(context.switchToHttp().getRequest<HttpRequest>()),
);
