/**
 * The JSON of the console's own admin endpoints. Projection statuses are the admin API's
 * (ProjectionStatusJson) passed through whole, so a field the admin API gains reaches the console as is.
 */
import type { TargetKind } from '../core/view-shape';
import type { ProjectionStatusJson } from '../admin/admin.dto';
import type { StatusSample } from './status-history';

export type ConsoleProjectionJson = Omit<ProjectionStatusJson, 'owner'> & {
  /** The kind of store the view lives in; null when the definition is not in the catalog. */
  readonly store: TargetKind | null;
  /** The id of the node running it (its lease holder, issue #15); null when no live node does. */
  readonly owner: string | null;
  /** Lag and rate over the last minutes, oldest first. */
  readonly history: readonly StatusSample[];
};

export interface ConsoleOverviewJson {
  readonly at: string;
  readonly sampleEverySeconds: number;
  readonly projections: readonly ConsoleProjectionJson[];
  /** Definition files skipped at start because they have errors (they run nowhere). */
  readonly broken: readonly {
    readonly file: string;
    readonly name?: string;
    readonly errors: readonly string[];
  }[];
}

export interface DefinitionSourceJson {
  readonly projection: string;
  readonly store: TargetKind;
  /** Fingerprint of the definition loaded at start (what runs). */
  readonly fingerprint: string;
  /** The file that defines it now, or null when no file in the folder has this name any more. */
  readonly file: string | null;
  readonly source: string | null;
  /** Whether the file still compiles to the fingerprint that runs (false: edited since start, or broken). */
  readonly fileMatchesRunning: boolean;
  /** Errors of the file as it is now, when it no longer validates. */
  readonly fileProblems: readonly string[];
  /** The normalized definition that runs, as YAML. */
  readonly running: string | null;
}

export interface GenerationJson {
  readonly generation: number;
  readonly status: 'building' | 'active' | 'retired';
  readonly fingerprint: string;
  readonly createdAt: string;
}

export interface GenerationsJson {
  readonly projection: string;
  readonly generations: readonly GenerationJson[];
}
