/**
 * The admin operations on a projection this process runs, answering the admin API's JSON. One place for
 * both callers: AdminService (a request that reached the node running the projection) and the
 * AdminRequestExecutor (a request another node received and wrote to the coordination store, issue #15),
 * so a forwarded operation answers exactly what a local one does.
 */
import type { AdminAction } from '../coordination/coordination.port';
import type { ProjectionRuntime } from '../runtime/projection-runtime';
import {
  parkedResolutionJson,
  projectionStatusJson,
  type ParkedResolutionJson,
  type ProjectionStatusJson,
  type RebuildStartedJson,
} from './admin.dto';
import { InvalidPositionError } from './admin.errors';

/** Log positions are unsigned 64-bit in every store. */
const MAX_POSITION = 2n ** 63n - 1n;

/** What an admin action answers. */
export type AdminOutcome = ProjectionStatusJson | RebuildStartedJson | ParkedResolutionJson;

export class LocalAdminOperations {
  constructor(private readonly runtime: ProjectionRuntime) {}

  /** Runs one action by name (`args.position` for replay and discard). */
  run(action: AdminAction, name: string, args: Readonly<Record<string, string>>): Promise<AdminOutcome> {
    switch (action) {
      case 'pause':
        return this.pause(name);
      case 'resume':
        return this.resume(name);
      case 'rebuild':
        return this.rebuild(name);
      case 'reset':
        return this.reset(name);
      case 'replay':
        return this.replay(name, args.position ?? '');
      case 'discard':
        return this.discard(name, args.position ?? '');
    }
  }

  /** Stops applying events (live and rebuilding generations); survives restarts until resumed. */
  async pause(name: string): Promise<ProjectionStatusJson> {
    await this.runtime.pause(name);
    return projectionStatusJson(this.runtime.status(name));
  }

  async resume(name: string): Promise<ProjectionStatusJson> {
    await this.runtime.resume(name);
    return projectionStatusJson(this.runtime.status(name));
  }

  /**
   * Builds a new generation from position 0 beside the live one, which keeps serving reads, and swaps it in
   * once it reaches the head. A rebuild already under way is reported, not restarted.
   */
  async rebuild(name: string): Promise<RebuildStartedJson> {
    const { generation, started } = await this.runtime.rebuild(name);
    return {
      projection: name,
      generation,
      from: '0',
      alreadyBuilding: !started,
      message:
        (started
          ? `Generation ${generation} of "${name}" is being built from the start of the log beside the live view `
          : `Generation ${generation} of "${name}" was already being built (nothing new started); it is built beside the live view `) +
        `and replaces it at the head; follow its progress with GET /admin/projections/${name}.`,
    };
  }

  /**
   * Resets the checkpoint to the start of the log. Views are not reversible (an event's effect cannot be
   * undone), so this never empties or rewinds the view readers see: it is a rebuild from position 0 into a
   * new generation, swapped in at the head. Resetting in place to an arbitrary position is not offered.
   */
  async reset(name: string): Promise<RebuildStartedJson> {
    const started = await this.rebuild(name);
    return {
      ...started,
      message:
        `Reset "${name}" to position 0: generation ${started.generation} is rebuilt from the start of the log ` +
        'beside the live view (which keeps serving) and swapped in at the head. Views are not reversible, ' +
        'so an in-place reset to another position is not offered.',
    };
  }

  /** Applies a parked event again (after its cause was fixed); held events behind it follow. */
  async replay(name: string, position: string): Promise<ParkedResolutionJson> {
    const at = parsePosition(position);
    return parkedResolutionJson(name, at, await this.runtime.replay(name, at));
  }

  /** Drops a parked event for good; held events behind it are applied. */
  async discard(name: string, position: string): Promise<ParkedResolutionJson> {
    const at = parsePosition(position);
    return parkedResolutionJson(name, at, await this.runtime.discard(name, at));
  }
}

/** @throws InvalidPositionError for anything but a decimal log position. */
export function parsePosition(given: string): bigint {
  if (!/^\d{1,19}$/.test(given)) throw new InvalidPositionError(given);
  const position = BigInt(given);
  if (position > MAX_POSITION) throw new InvalidPositionError(given);
  return position;
}
