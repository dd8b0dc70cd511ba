/**
 * The JSON the admin API answers. Log positions are 64-bit, so they travel as decimal strings; dates as
 * ISO 8601 strings. One mapper per runtime shape keeps the CLI and any dashboard on the same fields.
 */
import type { ParkedResolution } from '../runtime/projection-runner';
import type { BrokenDefinition } from '../projection-host/projection-catalog';
import type { OrphanedProjection } from '../runtime/orphaned-projections';
import type {
  CatchUpMeasure,
  GenerationStatus,
  ProjectionOwner,
  ProjectionState,
  ProjectionStatus,
  RunnerState,
  StoreRole,
  StoreStall,
} from '../runtime/projection-status';
import type { ParkedEvent } from '../stores/target.port';
import { encodeStoredEvent, type StoredEventJson } from '../eventstore/stored-event-json';

export interface GenerationStatusJson {
  readonly generation: number;
  readonly fingerprint: string;
  readonly state: RunnerState;
  readonly checkpoint: string;
  readonly head: string;
  readonly behind: string;
  readonly lagSeconds: number | null;
  readonly eventsPerSecond: number;
  readonly eventsApplied: number;
  /** The rate reached while catching up (kept once live), null until measured: what `prism plan` uses. */
  readonly catchUp: CatchUpMeasure | null;
  /** 0..1, by position from 0 to the head. */
  readonly progress: number;
  readonly etaSeconds: number | null;
  readonly parked: number;
  readonly held: number;
  readonly lastError: {
    readonly message: string;
    readonly kind: string;
    readonly attempts: number;
    readonly at: string;
    /** `event-store` or `view-store`: where the error came from. */
    readonly store: StoreRole;
  } | null;
  readonly stall: StallJson | null;
}

/** Why a projection is `stalled`: the store in trouble, since when, and its last error. */
export interface StallJson {
  /** `event-store` (the log it reads) or `view-store` (where its view is written). */
  readonly store: StoreRole;
  /** postgres, kurrentdb, embedded, elasticsearch, neo4j... */
  readonly kind: string;
  readonly since: string;
  readonly lastError: string;
}

export interface ProjectionStatusJson {
  readonly name: string;
  /** One of PROJECTION_STATES (src/runtime/projection-status.ts). */
  readonly state: ProjectionState;
  /** The generation readers see. */
  readonly live: GenerationStatusJson | null;
  /** The generation a rebuild (or reset) is filling beside the live one; swapped in at the head. */
  readonly rebuild: GenerationStatusJson | null;
  /** Present while `stalled`. */
  readonly stall: StallJson | null;
  readonly notes: readonly string[];
  /** `broken-definition` only: the definition file that was skipped, and every error in it. */
  readonly file?: string;
  readonly errors?: readonly string[];
  /** `orphaned` only: what each view store still holds of it. */
  readonly orphaned?: readonly OrphanedViewJson[];
  /** With several Prism nodes (issue #15): who holds its lease (null: nobody right now). */
  readonly owner?: ProjectionOwnerJson | null;
  /** Set when the numbers come from the owner's last heartbeat report (another node runs it): its time. */
  readonly reportedAt?: string;
  /** A segmented projection (issue #15): each segment's state, checkpoints and lease holder. */
  readonly segments?: readonly SegmentStatusJson[];
}

/** One segment of a segmented projection (positions as decimal strings). */
export interface SegmentStatusJson {
  readonly segment: number;
  readonly state: ProjectionState;
  readonly checkpoint: string | null;
  readonly rebuildCheckpoint: string | null;
  readonly owner?: ProjectionOwnerJson | null;
}

/** The node holding a projection's lease. */
export interface ProjectionOwnerJson {
  readonly node: string;
  /** The lease epoch (64-bit, as a decimal string): the fence its writes carry. */
  readonly epoch: string;
  readonly since: string;
  readonly leaseAgeMs: number;
}

/** One store's leftovers of an orphaned projection. */
export interface OrphanedViewJson {
  /** The target kind of the store. */
  readonly kind: string;
  readonly activeGeneration: number | null;
  readonly generations: readonly { readonly generation: number; readonly status: string }[];
}

/** What `drop` removed from each store, or would remove (`dryRun`). */
export interface ProjectionDropJson {
  readonly projection: string;
  readonly dryRun: boolean;
  readonly stores: readonly {
    readonly kind: string;
    /** Names readers queried it by (a SQL view, an index alias); empty when reads go through the registry. */
    readonly readNames: readonly string[];
    readonly generations: readonly {
      readonly generation: number;
      readonly status: string;
      /** The store's names of the generation's storage: a table, an index, labels and relationship types. */
      readonly physical: readonly string[];
    }[];
  }[];
  readonly message: string;
}

export interface ParkedEventJson {
  readonly position: string;
  readonly generation: number;
  /** parked: failed itself; held: waits behind a parked event with the same key. */
  readonly status: 'parked' | 'held';
  readonly reason: string;
  readonly parkedAt: string;
  readonly streamId: string;
  readonly eventType: string;
  readonly keys: readonly string[];
  readonly event: StoredEventJson;
}

export interface ParkedResolutionJson {
  readonly projection: string;
  readonly position: string;
  /** replayed / discarded, or still-parked when a replay failed again (reason says why). */
  readonly result: ParkedResolution['kind'];
  /** Held events released behind it (and applied) by this resolution. */
  readonly released: number;
  readonly reason?: string;
}

export interface RebuildStartedJson {
  readonly projection: string;
  readonly generation: number;
  /** Position the new generation starts from (always 0: views are rebuilt from the start of the log). */
  readonly from: string;
  /** True when a rebuild was already under way: this request started nothing and names that generation. */
  readonly alreadyBuilding: boolean;
  readonly message: string;
}

export function projectionStatusJson(status: ProjectionStatus): ProjectionStatusJson {
  return {
    name: status.name,
    state: status.state,
    live: status.live === null ? null : generationStatusJson(status.live),
    rebuild: status.rebuild === null ? null : generationStatusJson(status.rebuild),
    stall: stallJson(status.stall),
    notes: [...status.notes],
    ...(status.owner !== undefined && { owner: ownerJson(status.owner) }),
    ...(status.segments !== undefined && {
      segments: status.segments.map((segment) => ({
        segment: segment.segment,
        state: segment.state,
        checkpoint: segment.checkpoint?.toString() ?? null,
        rebuildCheckpoint: segment.rebuildCheckpoint?.toString() ?? null,
        ...(segment.owner !== undefined && { owner: ownerJson(segment.owner) }),
      })),
    }),
  };
}

function ownerJson(owner: ProjectionOwner | null): ProjectionOwnerJson | null {
  return owner === null
    ? null
    : {
        node: owner.node,
        epoch: owner.epoch.toString(),
        since: owner.since.toISOString(),
        leaseAgeMs: Math.max(0, Math.round(owner.leaseAgeMs)),
      };
}

/** A definition file skipped for its errors, listed beside the running projections (issue #12 item 2). */
export function brokenDefinitionJson(broken: BrokenDefinition): ProjectionStatusJson {
  return {
    name: brokenDefinitionName(broken),
    state: 'broken-definition',
    live: null,
    rebuild: null,
    stall: null,
    notes: [`Not running: ${broken.file} has ${broken.errors.length} error(s); fix it and restart.`],
    file: broken.file,
    errors: [...broken.errors],
  };
}

/** A projection whose definition was removed while its views stayed in a store (issue #13). */
export function orphanedProjectionJson(orphan: OrphanedProjection): ProjectionStatusJson {
  const where = orphan.views
    .map(
      (view) =>
        `${view.kind} (generation${view.generations.length === 1 ? '' : 's'} ` +
        `${view.generations.map((g) => g.generation).join(', ') || 'none'}` +
        `${view.activeGeneration === null ? '' : `, active ${view.activeGeneration}`})`,
    )
    .join(', ');
  return {
    name: orphan.name,
    state: 'orphaned',
    live: null,
    rebuild: null,
    stall: null,
    notes: [
      `No definition of "${orphan.name}" is loaded, but its views are still in ${where}. ` +
        `Remove them with \`prism drop ${orphan.name}\` (\`--dry-run\` lists them first), or put its definition ` +
        'file back and restart.',
    ],
    orphaned: orphan.views.map((view) => ({
      kind: view.kind,
      activeGeneration: view.activeGeneration,
      generations: view.generations.map((g) => ({ generation: g.generation, status: g.status })),
    })),
  };
}

/** The projection's name when the file got that far, else the file's path. */
export function brokenDefinitionName(broken: BrokenDefinition): string {
  return broken.name ?? broken.file;
}

function stallJson(stall: StoreStall | null): StallJson | null {
  return stall === null
    ? null
    : { store: stall.store, kind: stall.kind, since: stall.since.toISOString(), lastError: stall.lastError };
}

function generationStatusJson(status: GenerationStatus): GenerationStatusJson {
  return {
    generation: status.generation,
    fingerprint: status.fingerprint,
    state: status.state,
    checkpoint: status.checkpoint.toString(),
    head: status.head.toString(),
    behind: status.behind.toString(),
    lagSeconds: status.lagSeconds,
    eventsPerSecond: status.eventsPerSecond,
    eventsApplied: status.eventsApplied,
    catchUp: status.catchUp,
    progress: status.progress,
    etaSeconds: status.etaSeconds,
    parked: status.parked,
    held: status.held,
    lastError:
      status.lastError === null
        ? null
        : {
            message: status.lastError.message,
            kind: status.lastError.kind,
            attempts: status.lastError.attempts,
            at: status.lastError.at.toISOString(),
            store: status.lastError.store,
          },
    stall: stallJson(status.stall),
  };
}

export function parkedEventJson(parked: ParkedEvent): ParkedEventJson {
  return {
    position: parked.position.toString(),
    generation: parked.generation,
    status: parked.status,
    reason: parked.reason,
    parkedAt: parked.parkedAt.toISOString(),
    streamId: parked.streamId,
    eventType: parked.eventType,
    keys: [...parked.keys],
    event: encodeStoredEvent(parked.event),
  };
}

export function parkedResolutionJson(
  projection: string,
  position: bigint,
  resolution: ParkedResolution,
): ParkedResolutionJson {
  const base = { projection, position: position.toString(), result: resolution.kind };
  return resolution.kind === 'still-parked'
    ? { ...base, released: 0, reason: resolution.reason }
    : { ...base, released: resolution.released };
}
