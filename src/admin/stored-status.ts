/**
 * A projection's status as its view store holds it, for a projection no live node runs now (issue #15):
 * whether it is paused, and which generation readers see at which checkpoint. An api node, or a worker
 * standing by, answers this when no owner reported the projection; and pause/resume of such a projection
 * are written here as desired state (the registry's `paused`), which the next owner applies at start.
 */
import type { CompiledProjection } from '../core/plan';
import type { ProjectionState } from '../runtime/projection-status';
import { readSegmentedCheckpoint, segmentCount } from '../runtime/segments';
import type { Target } from '../stores/target.port';
import type { ProjectionStatusJson } from './admin.dto';

/**
 * The state of a projection no node runs. `standby` is the runtime's word for "loaded, not run by this
 * node" (src/runtime/README.md).
 */
const STANDBY = 'standby' as string as ProjectionState;

/** The status of a projection from its store's registry and checkpoint, no node running it. */
export async function storedStatusJson(
  plan: CompiledProjection,
  target: Target | undefined,
): Promise<ProjectionStatusJson> {
  const base = { name: plan.name, live: null, rebuild: null, stall: null };
  if (target === undefined)
    return {
      ...base,
      state: STANDBY,
      notes: [`No node runs it now, and its ${plan.target.kind} view store is not connected on this node.`],
    };
  let record: Awaited<ReturnType<Target['readProjection']>>;
  let checkpoint: bigint | undefined;
  try {
    record = await target.readProjection(plan.name);
    const active = record?.activeGeneration ?? null;
    checkpoint =
      active === null
        ? undefined
        : await readSegmentedCheckpoint(
            target,
            { projection: plan.name, generation: active, shape: plan.target },
            segmentCount(plan),
          );
  } catch (error) {
    return {
      ...base,
      state: STANDBY,
      notes: [
        `No live node runs it now, and its ${plan.target.kind} view store cannot be read from this node ` +
          `(${error instanceof Error ? error.message : String(error)}).`,
      ],
    };
  }
  const generation = record?.activeGeneration ?? null;
  return {
    ...base,
    state: record?.paused === true ? 'paused' : STANDBY,
    notes: [
      'No live node runs it now (no worker holds its lease); ' +
        (generation === null
          ? 'it has no active generation yet.'
          : `readers see generation ${generation} at checkpoint ${checkpoint?.toString() ?? 'unknown'}.`) +
        (record?.paused === true ? ' Paused: the node that takes it up keeps it paused until resumed.' : ''),
    ],
  };
}
