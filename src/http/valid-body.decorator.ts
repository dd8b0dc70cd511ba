/**
 * Parameter decorators that name their types explicitly. esbuild-based runners (tsx, used by `npm run prism`
 * and the benchmarks) emit no decorator metadata; without it a ValidationPipe silently validates nothing
 * and Swagger cannot tell a body's or a path parameter's type. Naming the type keeps both working anywhere.
 */
import { type ArgumentMetadata, Body, type Type, ValidationPipe } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { assertStorableBody } from './json-body.limits';
import { RequestValidationError } from './request.errors';

/**
 * Nest's ValidationPipe behind the body limits (json-body.limits.ts): class-transformer recurses, so a
 * body nested 3,000 deep overflowed the stack (a 500), and a NUL or lone surrogate in a string reached the
 * event store, which PostgreSQL refused with a 500 (issue #12 item 6).
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') assertStorableBody(value);
    return super.transform(value, metadata);
  }
}

/** Rejects unknown fields and wrong types with field-level messages (400); the body becomes a DTO instance. */
export function requestValidationPipe(expectedType?: Type): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    ...(expectedType && { expectedType }),
    exceptionFactory: (errors) => RequestValidationError.fromValidationErrors(errors),
  });
}

/** Applies a method decorator from a parameter decorator, to the method that parameter belongs to. */
function onMethod(
  target: object,
  propertyKey: string | symbol | undefined,
  decorator: MethodDecorator,
): void {
  if (propertyKey === undefined) return;
  const descriptor = Object.getOwnPropertyDescriptor(target, propertyKey);
  if (descriptor) decorator(target, propertyKey, descriptor);
}

/** `@Body()` validated against `dto`, and documented as the request body. */
export function ValidBody(dto: Type): ParameterDecorator {
  return (target, propertyKey, index) => {
    Body(requestValidationPipe(dto))(target, propertyKey, index);
    onMethod(target, propertyKey, ApiBody({ type: dto, required: true }));
  };
}
