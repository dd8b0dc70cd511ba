/**
 * Builds the Nest controller of one defined aggregate at run time: one route per command, with the same
 * decorators a hand-written command route has (@CommandEndpoint: status, response headers, OpenAPI
 * responses, the command-route mark that metrics and tracing look for; the writer role), applied
 * programmatically. Each route checks, in this order: path ids (400 invalid_id), the body (limits, then
 * the zod schema: 400 validation_failed naming each field), the request context (If-Match,
 * Idempotency-Key), then sends a RunAggregateCommand through the CommandBus.
 */
import { randomUUID } from 'node:crypto';
import { Controller, Delete, Inject, Patch, Post, Put, Req, type Type } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/require-role.decorator';
import type { CommandOutcome } from '../commands/command-context';
import { CommandEndpoint } from '../http/command-endpoint.decorator';
import type { HttpRequest } from '../http/http.types';
import { ID_PATTERN } from '../http/id.pipe';
import { assertStorableBody } from '../http/json-body.limits';
import { commandContextOf } from '../http/request-context';
import { InvalidIdError, RequestValidationError } from '../http/request.errors';
import type { Aggregate, AggregateCommand, HttpMethod } from './aggregate.types';
import { EXPECTED_REVISION_FIELD } from './define-aggregate';
import { bodySchemaOf, COMPONENT_SCHEMAS, componentSchemasOf } from './aggregate-openapi';
import { parsePayload } from './payload-validation';
import { RunAggregateCommand } from './run-aggregate-command';

type RoutedRequest = HttpRequest & { readonly params?: Readonly<Record<string, string>> };

const ROUTE_DECORATORS: Record<HttpMethod, (path: string) => MethodDecorator> = {
  POST: Post,
  PUT: Put,
  PATCH: Patch,
  DELETE: Delete,
};

const ID_MESSAGE = 'must be 1 to 64 letters, digits, _ or -';

export function controllerOf(aggregate: Aggregate): Type {
  class AggregateCommandsController {
    constructor(@Inject(CommandBus) readonly commandBus: CommandBus) {}
  }
  Object.defineProperty(AggregateCommandsController, 'name', {
    value: `${aggregate.name.charAt(0).toUpperCase()}${aggregate.name.slice(1)}CommandsController`,
  });
  const prototype = AggregateCommandsController.prototype as unknown as Record<string, unknown>;
  for (const command of aggregate.commands) {
    prototype[command.name] = async function (
      this: AggregateCommandsController,
      request: RoutedRequest,
    ): Promise<CommandOutcome> {
      return this.commandBus.execute(commandFrom(aggregate, command, request));
    };
    // Named after the command: OpenAPI's operationId is `<Controller>_<method name>`, and an anonymous
    // function gave every route of an aggregate the same one (issue #20).
    Object.defineProperty(prototype[command.name], 'name', { value: command.name });
    const descriptor = Object.getOwnPropertyDescriptor(prototype, command.name)!;
    Req()(prototype, command.name, 0);
    for (const decorator of routeDecorators(aggregate, command))
      decorator(prototype, command.name, descriptor);
  }
  Controller(aggregate.path)(AggregateCommandsController);
  RequireRole('writer')(AggregateCommandsController);
  ApiTags(aggregate.path)(AggregateCommandsController);
  Reflect.defineMetadata(COMPONENT_SCHEMAS, componentSchemasOf(aggregate), AggregateCommandsController);
  return AggregateCommandsController;
}

/** The request as a command: ids, then the body, then the context; the first problem answers. */
export function commandFrom(
  aggregate: Aggregate,
  command: AggregateCommand,
  request: RoutedRequest,
): RunAggregateCommand {
  const params = request.params ?? {};
  const pathId = command.creates ? undefined : pathIdOf(params, aggregate.idParam);
  const pathFields = Object.fromEntries(command.pathFields.map((field) => [field, pathIdOf(params, field)]));
  // An absent body (a command without fields sent with none) is an empty object.
  const body: unknown = request.body ?? {};
  assertStorableBody(body);
  const clashes = command.pathFields.filter(
    (field) => typeof body === 'object' && body !== null && Object.hasOwn(body, field),
  );
  if (clashes.length > 0) {
    throw new RequestValidationError(
      Object.fromEntries(clashes.map((field) => [field, [`property ${field} should not exist`]])),
    );
  }
  const parsed = parsePayload(
    command.body,
    typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, ...pathFields } : body,
  );
  const { [EXPECTED_REVISION_FIELD]: _expected, ...payload } = parsed;
  const id = pathId ?? createdIdOf(command, payload);
  return new RunAggregateCommand(aggregate, command, id, payload, commandContextOf(request));
}

function pathIdOf(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name] ?? '';
  if (!ID_PATTERN.test(value)) throw new InvalidIdError(name, value);
  return value;
}

/** A creating command's id: the `idField` of the payload when given (checked like a path id), else new. */
function createdIdOf(command: AggregateCommand, payload: Readonly<Record<string, unknown>>): string {
  const given = command.idField === undefined ? undefined : payload[command.idField];
  if (given === undefined) return randomUUID();
  if (typeof given !== 'string' || !ID_PATTERN.test(given)) {
    const field = command.idField!;
    throw new RequestValidationError({ [field]: [`${field} ${ID_MESSAGE}`] });
  }
  return given;
}

function routeDecorators(aggregate: Aggregate, command: AggregateCommand): MethodDecorator[] {
  const codes: Partial<Record<404 | 409 | 422, string[]>> = {};
  for (const [code, { status }] of Object.entries(aggregate.errors)) (codes[status] ??= []).push(code);
  const idParams = [...(command.creates ? [] : [aggregate.idParam]), ...command.pathFields];
  return [
    ROUTE_DECORATORS[command.method](command.routePath),
    CommandEndpoint({ summary: command.summary, creates: command.creates, codes }),
    ApiBody({
      // Documented as optional when every field is: such a command may be sent without a body.
      required: (bodySchemaOf(command).required?.length ?? 0) > 0,
      schema: { $ref: `#/components/schemas/${command.schemaName}` },
    }),
    ...idParams.map((name) =>
      ApiParam({ name, required: true, schema: { type: 'string', pattern: ID_PATTERN.source } }),
    ),
  ];
}
