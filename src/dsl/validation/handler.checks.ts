/**
 * Handler-level checks: handlers against source.events (both ways), and each action sent to the checks of
 * its family (document or graph) when it suits the view, reported as action-not-for-target when not.
 */
import { didYouMean } from '../errors/suggest';
import {
  isDocumentAction,
  isRememberAction,
  type Action,
  type DocumentAction,
  type GraphAction,
  type RememberAction,
} from '../model/projection.model';
import type { SourceDefinition } from '../model/definition.schema';
import type { PathSegment } from '../source/source-locator';
import type { ExpressionChecker } from './expression.checker';
import type { Problems } from './problems';

/** Every handler written, by event type; an action is undefined when it failed the schema. */
export type ParsedHandlers = ReadonlyMap<string, readonly (Action | undefined)[]>;

export function checkSourceEvents(source: SourceDefinition | undefined, problems: Problems): void {
  const seen = new Set<string>();
  (source?.events ?? []).forEach((eventType, index) => {
    if (seen.has(eventType)) {
      problems.add(
        'duplicate-event-type',
        ['source', 'events', index],
        `event type "${eventType}" is listed twice`,
      );
    }
    seen.add(eventType);
  });
}

export function checkHandlersAgainstSource(
  source: SourceDefinition | undefined,
  handlers: ParsedHandlers,
  problems: Problems,
): void {
  if (!source) return;
  const events = new Set(source.events);
  for (const eventType of handlers.keys()) {
    if (events.has(eventType)) continue;
    problems.add(
      'handler-for-unknown-event',
      ['handlers', eventType],
      `handler for "${eventType}", which is not in source.events (${source.events.join(', ')}); events outside the source never reach the projection`,
      {
        at: 'key',
        suggestion: didYouMean(eventType, source.events) ?? `add "${eventType}" to source.events`,
      },
    );
  }
  source.events.forEach((eventType, index) => {
    if (!handlers.has(eventType)) {
      problems.warn(
        'event-without-handler',
        ['source', 'events', index],
        `event type "${eventType}" is read but has no handler, so it changes nothing`,
      );
    }
  });
}

/** The checks of the action family a view takes (document-action.checks.ts, graph-action.checks.ts). */
export type ActionChecks =
  | {
      readonly family: 'document';
      readonly targetKind: string;
      check(action: DocumentAction, base: readonly PathSegment[]): void;
    }
  | {
      readonly family: 'graph';
      readonly targetKind: string;
      check(action: GraphAction, base: readonly PathSegment[]): void;
    };

export function checkHandlerActions(
  handlers: ParsedHandlers,
  checks: ActionChecks,
  problems: Problems,
  remember: (action: RememberAction, base: readonly PathSegment[]) => void,
  expressions?: ExpressionChecker,
): void {
  for (const [eventType, actions] of handlers) {
    // `event.data` is typed by the handler's event when the catalog knows it (issue #16)
    expressions?.readingEvent(eventType);
    actions.forEach((action, index) => {
      if (!action) return;
      const base: PathSegment[] = ['handlers', eventType, index, action.kind];
      if (isRememberAction(action)) remember(action, base);
      else if (checks.family === 'document') {
        if (isDocumentAction(action)) checks.check(action, base);
        else
          problems.add(
            'action-not-for-target',
            base,
            `"${action.kind}" is a graph action, but this is a ${checks.targetKind} view; use upsert, update, updateAll or delete`,
            { at: 'key' },
          );
      } else if (!isDocumentAction(action)) checks.check(action, base);
      else
        problems.add(
          'action-not-for-target',
          base,
          `"${action.kind}" is a document action, but this is a ${checks.targetKind} view; use mergeNode, mergeRelationship, deleteNode, deleteRelationship or updateNodes`,
          { at: 'key' },
        );
    });
  }
  expressions?.readingEvent(undefined);
}
