/**
 * A projection's status as the runtime reports it: its slot's, with the lease holder when leases are on
 * (`standby` where another node holds it), and one line per segment when it runs as segments.
 */
import type { OwnershipCoordinator } from '../coordination/ownership/ownership-coordinator';
import type { ProjectionSlot, SlotWork } from './projection-slot';
import type { ProjectionOwner, ProjectionStatus } from './projection-status';
import { parseSegmentResource } from './segments';

/** `slot`'s status; `followers`: the slots of its segments 1.. (none when it is not segmented). */
export function projectionStatusOf(
  slot: ProjectionSlot<SlotWork>,
  followers: readonly ProjectionSlot<SlotWork>[],
  ownership: OwnershipCoordinator | undefined,
  now: number,
): ProjectionStatus {
  const status = ownStatusOf(slot, ownership, now);
  if (followers.length === 0) return status;
  const segments = [slot, ...followers].map((s, index) => {
    const own = index === 0 ? status : ownStatusOf(s, ownership, now);
    return {
      segment: index,
      state: own.state,
      checkpoint: own.live?.checkpoint ?? null,
      rebuildCheckpoint: own.rebuild?.checkpoint ?? null,
      ...(own.owner !== undefined && { owner: own.owner }),
    };
  });
  return { ...status, segments };
}

/** One slot's status (a projection's, or one segment's), with its lease holder. */
function ownStatusOf(
  slot: ProjectionSlot<SlotWork>,
  ownership: OwnershipCoordinator | undefined,
  now: number,
): ProjectionStatus {
  if (ownership === undefined) return slot.status(now);
  const lease = ownership.ownerOf(slot.name);
  const owner: ProjectionOwner | null =
    lease === undefined
      ? null
      : {
          node: lease.node,
          epoch: lease.epoch,
          since: lease.since,
          leaseAgeMs: now - lease.since.getTime(),
        };
  const name = parseSegmentResource(slot.name).projection;
  if (slot.runnable && !ownership.owns(slot.name)) {
    return { name, state: 'standby', live: null, rebuild: null, stall: null, notes: [], owner };
  }
  return { ...slot.status(now), name, owner };
}
