/**
 * Declares every `{param}` of a documented path that its operation does not declare, as a required string.
 * Nest's Swagger module finds `@Param()`s through decorator metadata, which esbuild-based runners (tsx:
 * `npm run prism`) do not emit; without this the document they serve lacked its path parameters and
 * failed OpenAPI validation (issue #20). Routes that declare a pattern (`ApiParam`) keep theirs.
 */
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ReferenceObject } from '@nestjs/swagger';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function addMissingPathParameters(document: OpenAPIObject): void {
  for (const [route, item] of Object.entries(document.paths)) {
    const names = [...route.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (!operation) continue;
      const declared = new Set(
        (operation.parameters ?? [])
          .filter((parameter): parameter is ParameterObject => !isReference(parameter))
          .filter((parameter) => parameter.in === 'path')
          .map((parameter) => parameter.name),
      );
      const missing = names.filter((name) => !declared.has(name));
      if (missing.length === 0) continue;
      operation.parameters = [
        ...missing.map((name): ParameterObject => ({
          name,
          in: 'path',
          required: true,
          schema: { type: 'string' },
        })),
        ...(operation.parameters ?? []),
      ];
    }
  }
}

function isReference(value: ParameterObject | ReferenceObject): value is ReferenceObject {
  return '$ref' in value;
}
