/**
 * The parts of the admin API's answers the console reads (src/admin/admin.dto.ts, src/console/console.dto.ts,
 * src/admin/checks). Declared loosely on purpose: the console renders what is there and tolerates fields
 * that appear or go as the server evolves (e.g. new projection states).
 */
import type { Sample } from './sparkline';

export interface LastError {
  readonly message: string;
  readonly kind?: string;
  readonly attempts?: number;
  readonly at?: string;
}

export interface GenerationStatus {
  readonly generation: number;
  readonly fingerprint?: string;
  readonly state: string;
  readonly checkpoint: string;
  readonly head: string;
  readonly behind: string;
  readonly lagSeconds: number | null;
  readonly eventsPerSecond: number;
  readonly eventsApplied?: number;
  readonly progress: number;
  readonly etaSeconds: number | null;
  readonly parked: number;
  readonly held: number;
  readonly lastError: LastError | null;
}

/** The node holding a projection's (or a segment's) lease: the one that runs it. */
export interface LeaseOwner {
  readonly node: string;
  readonly epoch: string;
  readonly since: string;
  readonly leaseAgeMs: number;
}

/** One segment of a segmented projection (issue #15): its own checkpoint and lease. */
export interface SegmentStatus {
  readonly segment: number;
  readonly state: string;
  readonly checkpoint: string | null;
  readonly rebuildCheckpoint: string | null;
  readonly owner?: LeaseOwner | null;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly state: string;
  readonly live: GenerationStatus | null;
  readonly rebuild: GenerationStatus | null;
  readonly notes?: readonly string[];
  readonly segments?: readonly SegmentStatus[];
}

/** Why a projection is `stalled`: which store stopped answering, since when, and its last error. */
export interface Stall {
  readonly store: string;
  readonly kind: string;
  readonly since: string;
  readonly lastError: string;
}

/** A projection as `GET /admin/projections/:name` answers it: the owner with its lease details. */
export interface ProjectionDetail extends ProjectionStatus {
  readonly owner?: LeaseOwner | null;
  readonly stall?: Stall | null;
  /** Set when the numbers come from the owner's last heartbeat (another node runs it). */
  readonly reportedAt?: string;
  /** `broken-definition` only: the definition file that was skipped, and every error in it. */
  readonly file?: string;
  readonly errors?: readonly string[];
}

export interface ConsoleProjection extends ProjectionStatus {
  readonly store?: string | null;
  readonly owner?: string | null;
  readonly history?: readonly Sample[];
}

export interface BrokenDefinition {
  readonly file: string;
  readonly name?: string;
  readonly errors: readonly string[];
}

export interface Overview {
  readonly at: string;
  readonly sampleEverySeconds: number;
  readonly projections: readonly ConsoleProjection[];
  readonly broken?: readonly BrokenDefinition[];
}

export interface DefinitionSource {
  readonly projection: string;
  readonly store: string;
  readonly fingerprint: string;
  readonly file: string | null;
  readonly source: string | null;
  readonly fileMatchesRunning: boolean;
  readonly fileProblems: readonly string[];
  readonly running: string | null;
}

export interface Generation {
  readonly generation: number;
  readonly status: string;
  readonly fingerprint: string;
  readonly createdAt: string;
}

export interface ParkedEvent {
  readonly position: string;
  readonly generation: number;
  readonly status: string;
  readonly reason: string;
  readonly parkedAt: string;
  readonly streamId: string;
  readonly eventType: string;
  readonly keys: readonly string[];
  readonly event: unknown;
}

export interface ParkedResolution {
  readonly position: string;
  readonly result: string;
  readonly released: number;
  readonly reason?: string;
}

export interface RebuildStarted {
  readonly generation: number;
  readonly message: string;
}

export interface FieldDifference {
  readonly field: string;
  readonly live: unknown;
  readonly rebuilt: unknown;
}

export interface EntryDifference {
  readonly key: string;
  readonly kind: string;
  readonly fields?: readonly FieldDifference[];
  readonly live?: unknown;
  readonly rebuilt?: unknown;
}

export interface VerifyReport {
  readonly generation: number;
  readonly checkpoint: string;
  readonly eventsFolded: number;
  readonly eventsSetAside?: number;
  readonly liveEntries: number;
  readonly rebuiltEntries: number;
  readonly counts: { readonly onlyLive: number; readonly onlyRebuilt: number; readonly different: number };
  readonly total: number;
  readonly differences: readonly EntryDifference[];
  readonly settled: boolean;
  readonly paused: boolean;
  readonly durationMs: number;
}

export interface ShapeChange {
  readonly change: string;
  readonly what: string;
  readonly from?: string;
  readonly to?: string;
}

export interface PlanReport {
  readonly projection: string;
  readonly file: string;
  readonly action: string;
  readonly reason: string;
  readonly activeGeneration: number | null;
  readonly fingerprint: { readonly active: string | null; readonly new: string };
  readonly replay: {
    readonly events: number;
    readonly byType: Readonly<Record<string, number>>;
    readonly approximate: boolean;
    readonly head: string;
  };
  readonly estimate: { readonly seconds: number; readonly eventsPerSecond: number; readonly rate: string };
  readonly shapeChanges: readonly ShapeChange[];
  readonly sample: {
    readonly streams: number;
    readonly events: number;
    readonly comparedWith: string | null;
    readonly counts: {
      readonly added: number;
      readonly removed: number;
      readonly changed: number;
      readonly unchanged: number;
    };
    readonly differences: readonly EntryDifference[];
  };
  readonly warnings: readonly string[];
}
