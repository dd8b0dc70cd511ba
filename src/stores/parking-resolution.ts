/**
 * The one order every target lists parking resolutions in (Target.listResolutions): the checkpoint they
 * took effect at, then when they were made, then the position resolved.
 */
import type { ParkingResolution } from './target.port';

export function compareResolutions(a: ParkingResolution, b: ParkingResolution): number {
  if (a.checkpoint !== b.checkpoint) return a.checkpoint < b.checkpoint ? -1 : 1;
  const time = a.resolvedAt.getTime() - b.resolvedAt.getTime();
  if (time !== 0) return time;
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}
