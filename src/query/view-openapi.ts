/**
 * Per-view paths in the OpenAPI document (issue #20): besides the generic `/views/{name}/...` routes, each
 * loaded view gets its own paths with its own schemas, so a generated client knows that
 * `/views/order_summary` answers `{ items: [{ order_id, status, ... }], nextCursor }`.
 *
 * Each store's query API describes its views (StoreQueryApi.openApi, from the view's declared shape); this
 * file makes each description an operation by copying the generic route's operation (its read-your-writes
 * parameters, error answers and security stay the same, so they cannot drift) with the view's name bound,
 * its own query parameters added and its own answer schema. Only views the server serves are described:
 * a store that is not configured serves none (its routes answer `unknown_view`).
 */
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import type { CompiledProjection, QueryParameter } from '../core/plan';

/** One operation of one view: an instance of a generic query route. */
export interface ViewOperationDoc {
  /** The generic route it instantiates, as documented: `/views/{name}/search/{template}`. */
  readonly route: string;
  readonly method: 'get' | 'post';
  /** Values bound to the generic route's path parameters: `{ name: 'order_search', template: 'x' }`. */
  readonly bind: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description?: string;
  /** The view's own query parameters (filters, a named query's typed parameters), added to the route's. */
  readonly parameters?: readonly ParameterObject[];
  /** Names of the route's query parameters this view does not take (replaced by typed ones). */
  readonly dropParameters?: readonly string[];
  /** The 200 body. */
  readonly response: SchemaObject | ReferenceObject;
}

export interface ViewOpenApi {
  readonly operations: readonly ViewOperationDoc[];
  /** Component schemas the operations refer to (`#/components/schemas/<name>`). */
  readonly schemas?: Readonly<Record<string, SchemaObject>>;
}

/** How a store's query API describes one of its views (undefined: a view of another store). */
export type DescribeView = (projection: CompiledProjection) => ViewOpenApi | undefined;

/** Adds every described view's operations and schemas; a view's path is never one of the generic ones. */
export function addViewOperations(document: OpenAPIObject, views: readonly ViewOpenApi[]): void {
  for (const view of views) {
    document.components ??= {};
    document.components.schemas = { ...document.components.schemas, ...view.schemas };
    for (const described of view.operations) {
      const generic = document.paths[described.route]?.[described.method];
      if (generic === undefined) continue; // The store's generic route is not mounted: nothing served.
      const route = described.route.replace(/\{([^}]+)\}/g, (hole, name: string) =>
        described.bind[name] !== undefined ? described.bind[name] : hole,
      );
      document.paths[route] ??= {};
      document.paths[route][described.method] = instantiate(generic, described);
    }
  }
}

function instantiate(generic: OperationObject, described: ViewOperationDoc): OperationObject {
  const copy = structuredClone(generic);
  const dropped = new Set(described.dropParameters ?? []);
  const parameters = (copy.parameters ?? []).filter(
    (parameter) =>
      '$ref' in parameter ||
      !(
        (parameter.in === 'path' && described.bind[parameter.name] !== undefined) ||
        (parameter.in === 'query' && dropped.has(parameter.name))
      ),
  );
  const ok = copy.responses['200'];
  const bound = Object.values(described.bind)
    .join('_')
    .replace(/[^A-Za-z0-9_]/g, '_');
  return {
    ...copy,
    summary: described.summary,
    ...(described.description !== undefined && { description: described.description }),
    operationId: `${copy.operationId ?? described.method}_${bound}`,
    parameters: [...parameters, ...(described.parameters ?? [])],
    responses: {
      ...copy.responses,
      200: {
        ...(ok !== undefined && !('$ref' in ok) ? ok : { description: "The view's answer." }),
        content: { 'application/json': { schema: described.response } },
      },
    },
  };
}

/** A named query's declared parameters (graph queries, search templates) as typed query parameters. */
export function namedQueryParameters(
  parameters: Readonly<Record<string, QueryParameter>>,
): ParameterObject[] {
  return Object.entries(parameters).map(([name, parameter]) => ({
    name,
    in: 'query',
    required: parameter.required,
    schema: {
      type: parameter.type === 'float' ? 'number' : parameter.type,
      ...(parameter.default !== undefined && { default: parameter.default }),
    },
  }));
}

/** A component name from a view name: `order_summary` → `OrderSummary`. */
export function componentName(view: string): string {
  return view
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
