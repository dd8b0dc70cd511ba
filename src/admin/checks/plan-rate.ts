/** Which measured rate `prism plan` estimates a rebuild from (issue #17), read from the runtime's status. */
import type { ProjectionStatus } from '../../runtime/projection-status';
import type { MeasuredRate } from './plan-definition';

/**
 * The rate a rebuild of this projection can expect: its catch-up rate (a rebuild is a catch-up from 0),
 * the live generation's first, else a running rebuild's; else, while catching up for less than the
 * measure needs, the current rate. Never the rate of a live projection at the head: that is the arrival
 * rate of new events (1 event/s on a quiet log), which would inflate the estimate.
 */
export function measuredRate(status: ProjectionStatus): MeasuredRate | undefined {
  for (const [which, generation] of [
    ['live generation', status.live],
    ['rebuild', status.rebuild],
  ] as const) {
    if (generation?.catchUp != null) {
      const { eventsPerSecond, events, seconds } = generation.catchUp;
      return {
        eventsPerSecond,
        basis: `measured during the ${which}'s catch-up (generation ${generation.generation}): ${events} events in ${seconds} s`,
      };
    }
  }
  const live = status.live;
  if (live !== null && live.behind > 0n && live.eventsPerSecond > 0) {
    return {
      eventsPerSecond: live.eventsPerSecond,
      basis: `the live generation's current rate while catching up (generation ${live.generation})`,
    };
  }
  return undefined;
}
