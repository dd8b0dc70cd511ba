/**
 * Checks a real HTTP answer against the OpenAPI document the server serves (issue #20): its status must
 * be documented for the operation (no `default` catch-all), each documented header it carries must match
 * its schema, and its JSON body must match the response's schema (Ajv, with the document's components).
 * A problem is a sentence naming the operation, so a failing test says what to fix.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Schema = Record<string, unknown>;
interface Response {
  readonly description?: string;
  readonly headers?: Record<string, { schema?: Schema; required?: boolean }>;
  readonly content?: Record<string, { schema?: Schema }>;
}
interface Operation {
  readonly responses: Record<string, Response>;
}
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components?: { schemas?: Record<string, Schema> };
}

export interface ObservedResponse {
  readonly method: string;
  /** The path as requested, without the query string. */
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body, or undefined when there is none. */
  readonly body: unknown;
}

const DOCUMENT_ID = 'prism-openapi';

export class OpenApiResponseChecker {
  private readonly ajv: Ajv;
  private readonly routes: { template: string; pattern: RegExp; literals: number }[];
  private readonly compiled = new Map<Schema, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    // strict: false lets OpenAPI's own keywords (example, xml...) through; `nullable` Ajv knows.
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: absoluteRefs(document.components ?? {}) });
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`,
        ),
        literals: template.split('/').filter((segment) => !segment.startsWith('{')).length,
      }))
      // A literal segment wins over a parameter (/views/order_summary before /views/{name}).
      .sort((a, b) => b.literals - a.literals);
  }

  /** The documented route template a request path matches, e.g. `/orders/{orderId}/ship`. */
  route(method: string, path: string): string | undefined {
    return this.routes.find(
      ({ template, pattern }) =>
        pattern.test(path) && this.document.paths[template]?.[method.toLowerCase()] !== undefined,
    )?.template;
  }

  check(observed: ObservedResponse): string[] {
    const method = observed.method.toLowerCase();
    const template = this.route(method, observed.path);
    const what = `${observed.method.toUpperCase()} ${observed.path}`;
    if (template === undefined) return [`${what}: no documented route`];
    const operation = this.document.paths[template]![method]!;
    const response = operation.responses[String(observed.status)];
    if (response === undefined) {
      const documented = Object.keys(operation.responses).join(', ');
      return [`${what} (${template}): status ${observed.status} is not documented (${documented})`];
    }
    const where = `${what} (${template}) ${observed.status}`;
    return [
      ...this.headerProblems(where, response, observed),
      ...this.bodyProblems(where, response, observed),
    ];
  }

  private headerProblems(where: string, response: Response, observed: ObservedResponse): string[] {
    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const raw = observed.headers[name.toLowerCase()];
      if (raw === undefined) {
        if (header.required === true) problems.push(`${where}: required header ${name} is missing`);
        continue;
      }
      const value = Array.isArray(raw) ? raw.join(', ') : raw;
      const schema = header.schema ?? {};
      const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : value;
      const validate = this.validator(schema);
      if (!validate(typed))
        problems.push(`${where}: header ${name}=${value}: ${this.ajv.errorsText(validate.errors)}`);
    }
    return problems;
  }

  private bodyProblems(where: string, response: Response, observed: ObservedResponse): string[] {
    const schema = response.content?.['application/json']?.schema;
    const empty = observed.body === undefined || observed.body === '' || isEmptyObject(observed.body);
    if (schema === undefined) {
      return response.content === undefined && !empty
        ? [`${where}: a body is answered where the document describes none`]
        : [];
    }
    if (empty && observed.status === 304) return [];
    const validate = this.validator(schema);
    return validate(observed.body)
      ? []
      : [
          `${where}: body does not match the document: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}`,
        ];
  }

  private validator(schema: Schema): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (validate === undefined) {
      validate = this.ajv.compile(absoluteRefs(schema) as Schema);
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

/** `#/components/...` references, pointed at the document added to Ajv under DOCUMENT_ID. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) =>
      key === '$ref' && typeof item === 'string' && item.startsWith('#/')
        ? [key, `${DOCUMENT_ID}${item}`]
        : [key, absoluteRefs(item)],
    ),
  );
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}
