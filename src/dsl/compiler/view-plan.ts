/** What document and graph plans share: the shape the compiler drives, and steps by event type. */
import type { LookupValues } from '../../core/lookups';
import type { DocumentKey, ViewDocument, ViewOperation } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import type { Action, ProjectionModel } from '../model/projection.model';

export interface ViewPlan {
  keysOf(event: StoredEvent, lookups?: LookupValues): readonly string[];
  apply(
    event: StoredEvent,
    state: ReadonlyMap<DocumentKey, ViewDocument>,
    lookups?: LookupValues,
  ): readonly ViewOperation[];
}

/** Each handler's view actions made into steps, by event type, in action order (`remember`s are the lookup plan's). */
export function stepsByEventType<A extends Action, Step>(
  handlers: ProjectionModel['handlers'],
  isFamily: (action: Action) => action is A,
  step: (action: A) => Step,
): ReadonlyMap<string, readonly Step[]> {
  return new Map(
    Object.entries(handlers).map(([eventType, actions]) => [
      eventType,
      actions
        .filter((action) => action.kind !== 'remember')
        .map((action) => {
          // validation admits only the actions of the target's family
          if (!isFamily(action)) throw new Error(`internal: ${action.kind} reached the wrong plan`);
          return step(action);
        }),
    ]),
  );
}
