/**
 * The operator's view of the projection runtime: status, pause/resume, rebuild/reset and the parked
 * events. One service behind the REST API (and, through it, the `prism` CLI), returning the JSON shapes of
 * admin.dto.ts; errors are the runtime's own (unknown projection, not running) plus admin.errors.ts.
 */
import { Inject, Injectable } from '@nestjs/common';
import { ProjectionsService } from '../projection-host/projections.service';
import type { ProjectionRuntime } from '../runtime/projection-runtime';
import {
  brokenDefinitionJson,
  brokenDefinitionName,
  orphanedProjectionJson,
  parkedEventJson,
  parkedResolutionJson,
  projectionStatusJson,
  type ParkedEventJson,
  type ParkedResolutionJson,
  type ProjectionDropJson,
  type ProjectionStatusJson,
  type RebuildStartedJson,
} from './admin.dto';
import { InvalidPositionError, ProjectionRuntimeUnavailableError } from './admin.errors';
import { dropOrphan, listOrphans } from './orphans';

/** How long an admin request waits for a runtime that is still starting before answering 503. */
export const RUNTIME_READY_TIMEOUT_MS = 5_000;

/** Log positions are unsigned 64-bit in every store. */
const MAX_POSITION = 2n ** 63n - 1n;

@Injectable()
export class AdminService {
  constructor(@Inject(ProjectionsService) private readonly projections: ProjectionsService) {}

  /**
   * Every projection, then the definition files skipped as broken (state `broken-definition`), then the
   * projections whose definition was removed while their views stayed in a store (state `orphaned`).
   */
  async statuses(): Promise<ProjectionStatusJson[]> {
    const runtime = await this.runtime();
    return [
      ...runtime.status().map(projectionStatusJson),
      ...this.projections.brokenDefinitions.map(brokenDefinitionJson),
      ...(await listOrphans(this.projections)).map(orphanedProjectionJson),
    ];
  }

  async status(name: string): Promise<ProjectionStatusJson> {
    const broken = this.projections.brokenDefinitions.find((b) => brokenDefinitionName(b) === name);
    if (broken !== undefined) return brokenDefinitionJson(broken);
    const runtime = await this.runtime();
    if (!runtime.names().includes(name)) {
      const orphan = (await listOrphans(this.projections)).find((o) => o.name === name);
      if (orphan !== undefined) return orphanedProjectionJson(orphan);
    }
    return projectionStatusJson(runtime.status(name));
  }

  /**
   * Removes an orphaned projection's views (every generation, in every store holding it) and bookkeeping;
   * `dryRun` lists them without deleting. Refused while a definition of it is loaded.
   */
  async drop(name: string, dryRun: boolean): Promise<ProjectionDropJson> {
    await this.runtime();
    return dropOrphan(this.projections, name, dryRun);
  }

  /** Stops applying events (live and rebuilding generations); survives restarts until resumed. */
  async pause(name: string): Promise<ProjectionStatusJson> {
    const runtime = await this.runtime();
    await runtime.pause(name);
    return projectionStatusJson(runtime.status(name));
  }

  async resume(name: string): Promise<ProjectionStatusJson> {
    const runtime = await this.runtime();
    await runtime.resume(name);
    return projectionStatusJson(runtime.status(name));
  }

  /**
   * Builds a new generation from position 0 beside the live one, which keeps serving reads, and swaps it in
   * once it reaches the head. A rebuild already under way is reported, not restarted.
   */
  async rebuild(name: string): Promise<RebuildStartedJson> {
    const { generation, started } = await (await this.runtime()).rebuild(name);
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

  async parked(name: string): Promise<ParkedEventJson[]> {
    return (await (await this.runtime()).listParked(name)).map(parkedEventJson);
  }

  /** Applies a parked event again (after its cause was fixed); held events behind it follow. */
  async replay(name: string, position: string): Promise<ParkedResolutionJson> {
    const at = parsePosition(position);
    return parkedResolutionJson(name, at, await (await this.runtime()).replay(name, at));
  }

  /** Drops a parked event for good; held events behind it are applied. */
  async discard(name: string, position: string): Promise<ParkedResolutionJson> {
    const at = parsePosition(position);
    return parkedResolutionJson(name, at, await (await this.runtime()).discard(name, at));
  }

  private async runtime(): Promise<ProjectionRuntime> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ProjectionRuntimeUnavailableError(RUNTIME_READY_TIMEOUT_MS)),
        RUNTIME_READY_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([this.projections.ready(), timeout]);
    } catch (error) {
      if (error instanceof ProjectionRuntimeUnavailableError) throw error;
      throw new ProjectionRuntimeUnavailableError(RUNTIME_READY_TIMEOUT_MS, error);
    } finally {
      clearTimeout(timer);
    }
  }
}

function parsePosition(given: string): bigint {
  if (!/^\d{1,19}$/.test(given)) throw new InvalidPositionError(given);
  const position = BigInt(given);
  if (position > MAX_POSITION) throw new InvalidPositionError(given);
  return position;
}
