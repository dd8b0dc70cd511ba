/**
 * Upcasting (issue #16): an event whose `metadata.schemaVersion` is older than its type's latest version
 * goes through its upcaster chain before any projection sees it, so projections are written against the
 * latest version only.
 *
 * It wraps the compiled plan rather than one reader of the log: every path that folds events (the live
 * runner, a rebuild, parked-event replays, `verify`, `plan`'s sample diff, `prism test`, the in-memory
 * view) calls `keysOf` and `apply`, so none can forget it, and rebuild folds exactly what live folded.
 * An event is upcast once however many times the plan reads it (a WeakMap keyed by the stored event, which
 * also keeps the DSL's per-event CEL conversion cached).
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../core/json';
import type { LookupPlan, LookupValues } from '../core/lookups';
import { ProjectionEvaluationError, type CompiledProjection } from '../core/plan';
import type { StoredEvent } from '../eventstore/event-store.port';
import type { EventCatalog } from './event-catalog';

export class EventUpcaster {
  private readonly done = new WeakMap<StoredEvent, StoredEvent | Error>();

  constructor(private readonly catalog: EventCatalog) {}

  /**
   * The event at its type's latest version (the same object when nothing is to do).
   * @throws Error when the version is newer than the catalog knows or an upcaster fails.
   */
  upcast(event: StoredEvent): StoredEvent {
    const entry = this.catalog.get(event.type);
    if (!entry || entry.upcasters.size === 0) return event;
    let result = this.done.get(event);
    if (result === undefined) {
      try {
        result = this.run(event);
      } catch (error) {
        result = error instanceof Error ? error : new Error(String(error));
      }
      this.done.set(event, result);
    }
    if (result instanceof Error) throw result;
    return result;
  }

  private run(event: StoredEvent): StoredEvent {
    const entry = this.catalog.get(event.type)!;
    const written = schemaVersionOf(event);
    if (written === entry.latest) return event;
    if (written > entry.latest) {
      throw new Error(
        `schemaVersion ${written} is newer than the catalog's latest version ${entry.latest} of ${event.type}; deploy the catalog that declares it`,
      );
    }
    // below the first upcaster: versions the chain does not reach are left as written (see the README)
    if (!entry.upcasters.has(written)) return event;
    let data: JsonObject = event.data;
    for (let version = written; version < entry.latest; version++) {
      const step = entry.upcasters.get(version);
      if (!step) throw new Error(`no upcaster from version ${version} of ${event.type}`);
      try {
        data = step.run(data, event);
      } catch (error) {
        throw new Error(
          `upcasting ${event.type} from version ${version} to ${version + 1} failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    }
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: entry.latest } };
  }
}

/** The schema version an event was written with (1 when absent: written before versions were recorded). */
export function schemaVersionOf(event: StoredEvent): number {
  const version = (event.metadata as { schemaVersion?: unknown } | undefined)?.schemaVersion;
  return typeof version === 'number' && Number.isInteger(version) && version > 0 ? version : 1;
}

/**
 * The plan, seeing every event at its latest version. An event that cannot be upcast is a poison event
 * (ProjectionEvaluationError): it fails the same way on every replica, rebuild and `verify`.
 */
export function withUpcasting(plan: CompiledProjection, catalog: EventCatalog): CompiledProjection {
  if (!catalog.upcastsAny(plan.source.eventTypes)) return plan;
  const upcaster = new EventUpcaster(catalog);
  const upcast = (event: StoredEvent): StoredEvent => {
    try {
      return upcaster.upcast(event);
    } catch (error) {
      throw new ProjectionEvaluationError(plan.name, event.type, (error as Error).message);
    }
  };
  // Lookups read and remember from the event too, so they see it upcast like keysOf and apply do.
  const lookups: LookupPlan | undefined = plan.lookups && {
    declared: plan.lookups.declared,
    readsOf: (event) => plan.lookups!.readsOf(upcast(event)),
    remember: (event, values) => plan.lookups!.remember(upcast(event), values),
  };
  return Object.freeze({
    ...plan,
    fingerprint: upcastingFingerprint(plan, catalog),
    ...(lookups ? { lookups } : {}),
    ...(plan.fanOutsOf && {
      fanOutsOf: (event: StoredEvent, values?: LookupValues) => plan.fanOutsOf!(upcast(event), values),
    }),
    keysOf: (event: StoredEvent, values?: LookupValues) => plan.keysOf(upcast(event), values),
    apply: (event: StoredEvent, state: Parameters<CompiledProjection['apply']>[1], values?: LookupValues) =>
      plan.apply(upcast(event), state, values),
  });
}

/**
 * The plan's fingerprint with the upcasters of the types it reads mixed in: the view folds what they
 * return, so a changed, added or removed upcaster changes the view as much as a changed expression does,
 * and must rebuild it (`plan` says so). Plans reading no upcast type keep their definition's fingerprint
 * unchanged (withUpcasting returns them as they are).
 */
export function upcastingFingerprint(plan: CompiledProjection, catalog: EventCatalog): string {
  const chains = [...new Set(plan.source.eventTypes)].sort().flatMap((type) => {
    const entry = catalog.get(type);
    if (!entry || entry.upcasters.size === 0) return [];
    const steps = [...entry.upcasters.values()].sort((a, b) => a.from - b.from).map((step) => step.identity);
    return [{ type, latest: entry.latest, steps }];
  });
  return createHash('sha256')
    .update(`${plan.fingerprint}\nupcasters ${JSON.stringify(chains)}`)
    .digest('hex');
}
