/**
 * The TypeScript builder: the same definitions as YAML, with TypeScript checking event payload fields,
 * column names and value types as you write them. Each store's typed target helper lives with the store
 * (src/stores/<store>/dsl/<store>.builder.ts). It produces the same model, validated by the same zod
 * schema and semantic validator, so a builder definition and its YAML twin compile to the same plan and
 * fingerprint.
 *
 *   const orderSummary = defineProjection<MarketplaceEvents>()({
 *     name: 'order_summary', version: 1,
 *     source: { events: ['OrderPlaced', 'ItemAdded'], streamPrefix: 'order-' },
 *     target: relational({ table: 'order_summary', key: 'order_id', columns: { ... } }),
 *   })
 *     .on('OrderPlaced', ({ event, upsert }) => [upsert({ key: event.data.orderId, set: { status: 'placed' } })])
 *     .build();
 */
import type { CompiledProjection } from '../../core/plan';
import { compileProjection } from '../compiler/projection.compiler';
import { DefinitionValidationError } from '../errors/definition-error';
import { storeModule } from '../../stores/registry';
import type { WrittenDefinition } from '../model/definition.schema';
import { codeLocator } from '../source/source-locator';
import { validateDefinition, type CheckedDefinition } from '../validation/definition.validator';
import { celSource, reference, type Expr, type Ref, type ValueLike } from './expression.builder';

/** Event type -> payload type, e.g. `{ OrderPlaced: { orderId: string; ... } }` (an interface is fine). */
export type EventMap = object;

// ------------------------------------------------------------------------------------------------ targets

/**
 * Type-only brands: what a target section's actions write, as TypeScript sees it. Each store's builder
 * helper (src/stores/<store>/dsl/<store>.builder.ts, e.g. `relational({...})`) returns its section typed
 * with one of them; the section itself is plain data (the brands never exist at run time).
 */
export declare const documentType: unique symbol;
export declare const graphType: unique symbol;

/** A document view's section, typed with the document its actions write (`doc`, `set`, ...). */
export interface DocumentTargetSection<Doc> {
  readonly kind: string;
  readonly [documentType]: Doc;
}

/** What a graph's merges write: label -> properties, relationship type -> its ends and properties. */
export interface GraphTypes {
  readonly nodes: Readonly<Record<string, object>>;
  readonly relationships: Readonly<
    Record<string, { readonly from: string; readonly to: string; readonly properties: object }>
  >;
}

/** A graph view's section, typed with its labels, relationship types and their properties. */
export interface GraphTargetSection<Graph extends GraphTypes> {
  readonly kind: string;
  readonly [graphType]: Graph;
}

type AnyTarget = DocumentTargetSection<unknown> | GraphTargetSection<GraphTypes>;

// ------------------------------------------------------------------------------------------------ assignments

type Assignments<Doc> = { readonly [K in keyof Doc]?: ValueLike<Doc[K]> };
type NumericAssignments<Doc> = {
  readonly [K in keyof Doc as Doc[K] extends number | null ? K : never]?: ValueLike<number>;
};
type ListAssignments<Doc> = {
  readonly [
    K in keyof Doc as NonNullable<Doc[K]> extends readonly unknown[] ? K : unknown extends Doc[K] ? K : never
  ]?: ValueLike<unknown>;
};

// ------------------------------------------------------------------------------------------------ actions

/** The event as expressions see it. */
export interface EventRef<Payload> {
  readonly id: Expr<string>;
  readonly type: Expr<string>;
  readonly streamId: Expr<string>;
  readonly revision: Expr<number>;
  readonly position: Expr<number>;
  readonly data: Ref<Payload>;
  readonly metadata: Ref<Record<string, unknown>>;
}

type Key = ValueLike<string | number>;
/** An action as written (CEL source strings, keyed by its kind), ready for the schema. */
type WrittenAction = Record<string, unknown>;

export interface DocumentWrite<Doc> {
  readonly key: Key;
  readonly when?: ValueLike<boolean>;
  readonly set?: Assignments<Doc>;
  readonly increment?: NumericAssignments<Doc>;
  readonly append?: ListAssignments<Doc>;
}

/** A fan-out update: `where` names one secondary key (an indexed column, a keyword field). */
export interface FanOutWrite<Doc> {
  readonly where: { readonly [K in keyof Doc]?: ValueLike<string | number> };
  readonly when?: ValueLike<boolean>;
  readonly set?: Assignments<Doc>;
  readonly increment?: NumericAssignments<Doc>;
  readonly append?: ListAssignments<Doc>;
  /** The most documents one event may update (default DEFAULT_FAN_OUT_CAP). */
  readonly max?: number;
}

export interface DocumentActions<Payload, Doc> {
  readonly event: EventRef<Payload>;
  /** The current document; `cel\`${doc} == null\`` when none exists yet. */
  readonly doc: Ref<Doc>;
  readonly upsert: (write: DocumentWrite<Doc>) => WrittenAction;
  readonly update: (write: DocumentWrite<Doc> & { readonly ifMissing?: 'ignore' | 'fail' }) => WrittenAction;
  readonly delete: (target: { readonly key: Key; readonly when?: ValueLike<boolean> }) => WrittenAction;
  /** Changes every document whose secondary key holds the value (see "Fan-out updates"). */
  readonly updateAll: (write: FanOutWrite<Doc>) => WrittenAction;
}

type PropertiesOf<Properties> = { readonly [K in keyof Properties]?: ValueLike<Properties[K] | null> };

export interface GraphActions<Payload, Graph extends GraphTypes> {
  readonly event: EventRef<Payload>;
  readonly mergeNode: <L extends keyof Graph['nodes'] & string>(node: {
    readonly label: L;
    readonly key: Key;
    readonly when?: ValueLike<boolean>;
    readonly set?: PropertiesOf<Graph['nodes'][L]>;
  }) => WrittenAction;
  readonly deleteNode: <L extends keyof Graph['nodes'] & string>(node: {
    readonly label: L;
    readonly key: Key;
    readonly when?: ValueLike<boolean>;
  }) => WrittenAction;
  readonly mergeRelationship: <T extends keyof Graph['relationships'] & string>(relationship: {
    readonly type: T;
    readonly from: { readonly label?: Graph['relationships'][T]['from']; readonly key: Key };
    readonly to: { readonly label?: Graph['relationships'][T]['to']; readonly key: Key };
    readonly when?: ValueLike<boolean>;
    readonly set?: PropertiesOf<Graph['relationships'][T]['properties']>;
  }) => WrittenAction;
  readonly deleteRelationship: <T extends keyof Graph['relationships'] & string>(relationship: {
    readonly type: T;
    readonly from: { readonly label?: Graph['relationships'][T]['from']; readonly key: Key };
    readonly to: { readonly label?: Graph['relationships'][T]['to']; readonly key: Key };
    readonly when?: ValueLike<boolean>;
  }) => WrittenAction;
}

type ActionsFor<Target, Payload> =
  Target extends GraphTargetSection<infer Graph>
    ? GraphActions<Payload, Graph>
    : Target extends DocumentTargetSection<infer Doc>
      ? DocumentActions<Payload, Doc>
      : never;

// ------------------------------------------------------------------------------------------------ queries

export interface QueryDeclaration {
  readonly description?: string;
  readonly parameters?: Readonly<
    Record<
      string,
      {
        readonly type: 'string' | 'integer' | 'float' | 'boolean';
        readonly required?: boolean;
        readonly default?: string | number | boolean;
        readonly description?: string;
      }
    >
  >;
  /** The query text, under the field of the view store's language (`cypher: ...`, `search: {...}`). */
  readonly [language: string]: unknown;
}

// ------------------------------------------------------------------------------------------------ builder

export interface ProjectionHeader<
  Events extends EventMap,
  Selected extends keyof Events & string,
  Target extends AnyTarget,
> {
  readonly name: string;
  readonly version: number;
  readonly description?: string;
  readonly source: { readonly events: readonly Selected[]; readonly streamPrefix?: string };
  readonly target: Target;
  readonly onPoison?: 'sequenced' | 'skip';
  /** Segments sharing the projection's work (issue #15), see the `segments` field of a definition file. */
  readonly segments?: number;
}

/**
 * `defineProjection<Events>()` fixes the event payload types; the returned function takes the header
 * (name, version, source, target) and returns the builder for handlers and queries.
 */
export function defineProjection<Events extends EventMap>() {
  return <const Selected extends keyof Events & string, const Target extends AnyTarget>(
    header: ProjectionHeader<Events, Selected, Target>,
  ) => new ProjectionBuilder<Events, Selected, Target>(header, {}, {});
}

export class ProjectionBuilder<
  Events extends EventMap,
  Selected extends keyof Events & string,
  Target extends AnyTarget,
> {
  constructor(
    private readonly header: ProjectionHeader<Events, Selected, Target>,
    private readonly handlers: Readonly<Record<string, readonly WrittenAction[]>>,
    private readonly queries: Readonly<Record<string, QueryDeclaration>>,
  ) {}

  /** What an event of this type does to the view: a list of actions, applied in order. */
  on<E extends Selected>(
    eventType: E,
    actions: (context: ActionsFor<Target, Events[E]>) => readonly WrittenAction[],
  ): ProjectionBuilder<Events, Selected, Target> {
    const context = (storeModule(this.header.target.kind).dsl?.family === 'graph'
      ? graphActions()
      : documentActions()) as unknown as ActionsFor<Target, Events[E]>;
    return new ProjectionBuilder(
      this.header,
      { ...this.handlers, [eventType]: actions(context) },
      this.queries,
    );
  }

  /** A named read query, in the language of the view's store (its field: `cypher`, `search`, ...). */
  query(name: string, query: QueryDeclaration): ProjectionBuilder<Events, Selected, Target> {
    return new ProjectionBuilder(this.header, this.handlers, { ...this.queries, [name]: query });
  }

  /**
   * The definition as written: exactly what a YAML file would hold (expressions as CEL source). `build()`
   * validates it into the model, as a file's text is.
   */
  toWritten(): WrittenDefinition {
    const { name, version, description, source, target, onPoison, segments } = this.header;
    return {
      name,
      version,
      ...(description === undefined ? {} : { description }),
      source: {
        events: [...source.events],
        ...(source.streamPrefix === undefined ? {} : { streamPrefix: source.streamPrefix }),
      },
      target: structuredClone(target) as WrittenDefinition['target'],
      ...(onPoison === undefined ? {} : { onPoison }),
      ...(segments === undefined ? {} : { segments }),
      handlers: structuredClone(this.handlers) as WrittenDefinition['handlers'],
      ...(Object.keys(this.queries).length === 0 ? {} : { queries: structuredClone(this.queries) }),
    };
  }

  /**
   * Validates exactly as a YAML file is validated.
   * @throws DefinitionValidationError with every problem found.
   */
  build(): CheckedDefinition {
    const check = validateDefinition(this.toWritten(), codeLocator(`<builder ${this.header.name}>`));
    if (!check.checked) throw new DefinitionValidationError(check.problems);
    return check.checked;
  }

  compile(): CompiledProjection {
    return compileProjection(this.build());
  }
}

// ------------------------------------------------------------------------------------------------ action factories

const event = reference<never>('event') as unknown as EventRef<never>;

/** CEL source for every expression of an action body, in the written shape. */
function body(fields: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (name === 'set' || name === 'increment' || name === 'append' || name === 'where') {
      result[name] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([, item]) => item !== undefined)
          .map(([field, item]) => [field, celSource(item)]),
      );
    } else if (name === 'from' || name === 'to') {
      const end = value as { label?: string; key: unknown };
      result[name] = { ...(end.label === undefined ? {} : { label: end.label }), key: celSource(end.key) };
    } else if (name === 'key' || name === 'when') result[name] = celSource(value);
    else result[name] = value;
  }
  return result;
}

function documentActions(): DocumentActions<never, Record<string, unknown>> {
  return {
    event,
    doc: reference<Record<string, unknown>>('doc'),
    upsert: (write) => ({ upsert: body({ ...write }) }),
    update: (write) => ({ update: body({ ...write }) }),
    delete: (target) => ({ delete: body({ ...target }) }),
    updateAll: (write) => ({ updateAll: body({ ...write }) }),
  };
}

function graphActions(): GraphActions<never, GraphTypes> {
  return {
    event,
    mergeNode: (node) => ({ mergeNode: body({ ...node }) }),
    deleteNode: (node) => ({ deleteNode: body({ ...node }) }),
    mergeRelationship: (relationship) => ({ mergeRelationship: body({ ...relationship }) }),
    deleteRelationship: (relationship) => ({ deleteRelationship: body({ ...relationship }) }),
  };
}
