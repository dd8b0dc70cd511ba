/**
 * The validated definition model: what validation emits and the compiler, the fingerprint and the tools
 * read. It is the schema's output (one source of truth for the shape), made
 *
 * - tagged: each action is `{ kind: 'upsert', key, when?, set?, ... }`, a discriminated union, so code
 *   switches on `action.kind` instead of reading the one key the written form names it by;
 * - placed: every expression is an Expression node that knows its path (and file position);
 * - frozen: deeply, at run time (Object.freeze) and in its types (readonly throughout).
 *
 * The target section is carried as the schema parsed it, tagged by its own `kind`.
 */
import type { z } from 'zod';
import type { PathSegment, SourceLocator } from '../source/source-locator';
import {
  ACTION_KINDS,
  DOCUMENT_ACTION_KINDS,
  type ACTION_SCHEMAS,
  type ActionKind,
  type ParsedAction,
  type ParsedDefinition,
} from './definition.schema';
import { isExpression, type Expression } from './expression';
import { storeDslOf } from './store-sections';

/** Deeply readonly; expressions are frozen nodes already. */
export type Frozen<T> = T extends Expression | string | number | boolean | null | undefined
  ? T
  : T extends readonly (infer Item)[]
    ? readonly Frozen<Item>[]
    : { readonly [K in keyof T]: Frozen<T[K]> };

type BodyOf<K extends ActionKind> =
  z.output<(typeof ACTION_SCHEMAS)[K]> extends { readonly [P in K]: infer Body } ? Body : never;

/** One action of a handler, tagged by its kind. */
export type Action = { [K in ActionKind]: Frozen<{ kind: K } & BodyOf<K>> }[ActionKind];
export type ActionOf<K extends ActionKind> = Extract<Action, { readonly kind: K }>;
/** upsert, update, updateAll, delete: actions of document views (relational, search). */
export type DocumentAction = ActionOf<'upsert' | 'update' | 'updateAll' | 'delete'>;
/** The document actions that address one document by key. */
export type KeyedDocumentAction = ActionOf<'upsert' | 'update' | 'delete'>;
/** updateAll: a fan-out update of every document whose secondary key holds a value of the event. */
export type UpdateAllAction = ActionOf<'updateAll'>;
/** remember: writes a lookup entry (correlation state); allowed in every view. */
export type RememberAction = ActionOf<'remember'>;
/** updateNodes: a fan-out update of every node whose indexed property holds a value of the event. */
export type UpdateNodesAction = ActionOf<'updateNodes'>;
/** mergeNode, mergeRelationship, deleteNode, deleteRelationship, updateNodes: actions of graph views. */
export type GraphAction = Exclude<Action, DocumentAction | RememberAction>;

export function isDocumentAction(action: Action): action is DocumentAction {
  return DOCUMENT_ACTION_KINDS.includes(action.kind);
}

export function isRememberAction(action: Action): action is RememberAction {
  return action.kind === 'remember';
}

export function isGraphAction(action: Action): action is GraphAction {
  return !isDocumentAction(action) && !isRememberAction(action);
}

/** A validated projection definition: frozen, its actions tagged, its expressions placed. */
export type ProjectionModel = Frozen<
  Omit<ParsedDefinition, 'handlers'> & { handlers: Record<string, readonly Action[]> }
>;
export type TargetModel = ProjectionModel['target'];
export type QueryModel = ProjectionModel['queries'][string];

/** The model of a definition the schema accepted. Keys keep their written order. */
export function projectionModelOf(parsed: ParsedDefinition, locator: SourceLocator): ProjectionModel {
  const model = Object.fromEntries(
    Object.entries(parsed).map(([section, value]) => [
      section,
      section === 'handlers' ? handlersModel(parsed.handlers, locator) : placed(value, [section], locator),
    ]),
  );
  return Object.freeze(model) as ProjectionModel;
}

function handlersModel(
  handlers: ParsedDefinition['handlers'],
  locator: SourceLocator,
): ProjectionModel['handlers'] {
  return Object.freeze(
    Object.fromEntries(
      Object.entries(handlers).map(([eventType, actions]) => [
        eventType,
        Object.freeze(
          actions.map((action, index) => tagAction(action, ['handlers', eventType, index], locator)),
        ),
      ]),
    ),
  );
}

/**
 * `{ upsert: { key, ... } }` as the schema parsed it -> `{ kind: 'upsert', key, ... }`, its expressions
 * placed under `path` (the action's position in its handler).
 */
export function tagAction(
  action: ParsedAction,
  path: readonly PathSegment[],
  locator: SourceLocator,
): Action {
  // the schema admits exactly one kind key per action
  const kind = ACTION_KINDS.find((candidate) => candidate in action)!;
  const body = (action as Record<ActionKind, object>)[kind];
  return Object.freeze({ kind, ...(placed(body, [...path, kind], locator) as object) }) as Action;
}

/** A deep, frozen copy of a parsed value with every Expression in it placed at its path. */
function placed(value: unknown, path: readonly PathSegment[], locator: SourceLocator): unknown {
  if (isExpression(value)) return value.at(path, locator.has(path) ? locator.valueAt(path) : undefined);
  if (Array.isArray(value))
    return Object.freeze(value.map((item, index) => placed(item, [...path, index], locator)));
  if (typeof value === 'object' && value !== null) {
    return Object.freeze(
      Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, placed(item, [...path, key], locator)]),
      ),
    );
  }
  return value;
}

/**
 * The definition as written (defaults filled in), from its model: each action keyed by its kind again,
 * expressions still nodes (JSON.stringify writes their source), the target's kind under the name its store
 * persists it by (`StoreDsl.storedKind`: `postgres` for `relational`, an accepted alias). What is stored
 * with a view generation and recompiled later, and what the fingerprint hashes.
 */
export function writtenFormOf(model: ProjectionModel): Readonly<Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(model).map(([section, value]) => [
      section,
      section === 'target'
        ? { ...model.target, kind: storeDslOf(model.target).storedKind ?? model.target.kind }
        : section === 'handlers'
          ? Object.fromEntries(
              Object.entries(model.handlers).map(([eventType, actions]) => [
                eventType,
                actions.map(untagAction),
              ]),
            )
          : value,
    ]),
  );
}

function untagAction(action: Action): Readonly<Record<string, unknown>> {
  const { kind, ...body } = action;
  return { [kind]: body };
}
