/** What document and graph plans share: the shape the compiler drives, and steps by event type. */
import type { DocumentKey, ViewDocument, ViewOperation } from '../../core/plan';
import type { StoredEvent } from '../../eventstore/event-store.port';
import type { Action, ProjectionModel } from '../model/projection.model';

export interface ViewPlan {
  keysOf(event: StoredEvent): readonly string[];
  apply(event: StoredEvent, state: ReadonlyMap<DocumentKey, ViewDocument>): readonly ViewOperation[];
}

/** Each handler's actions made into steps, by event type, in action order. */
export function stepsByEventType<A extends Action, Step>(
  handlers: ProjectionModel['handlers'],
  isFamily: (action: Action) => action is A,
  step: (action: A) => Step,
): ReadonlyMap<string, readonly Step[]> {
  return new Map(
    Object.entries(handlers).map(([eventType, actions]) => [
      eventType,
      actions.map((action) => {
        // validation admits only the actions of the target's family
        if (!isFamily(action)) throw new Error(`internal: ${action.kind} reached the wrong plan`);
        return step(action);
      }),
    ]),
  );
}
