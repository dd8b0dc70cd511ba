/**
 * The event catalog (issue #16): every event type the app knows, its payload schema per version, its latest
 * version and the chain of upcasters that brings an older payload to the latest one. Declared once, from
 * two sources (see build-catalog.ts): the aggregates' event definitions (zod, `version`, `upcast`) and an
 * optional catalog file for events other services write (catalog-file.ts).
 *
 * What reads it: the DSL types `event.data` per handler event with the latest version's schema; the
 * compiled plan upcasts every event before a projection sees it (upcasting-plan.ts); the append route
 * validates a catalogued payload; `prism events` lists it. It names no store.
 */
import type { z } from 'zod';
import type { JsonObject } from '../core/json';
import type { StoredEvent } from '../eventstore/event-store.port';

/** A JSON Schema object (draft 2020-12, as `z.toJSONSchema` writes it). */
export type JsonSchema = JsonObject;

/** One version of an event type's payload. */
export interface EventVersion {
  readonly version: number;
  readonly schema: JsonSchema;
  /** Validates a payload of this version (the aggregate's own zod schema, or one built from `schema`). */
  readonly validator: z.ZodType;
}

/** Turns a payload of version `from` into one of version `from + 1`. Pure and deterministic. */
export interface UpcastStep {
  readonly from: number;
  /** One line for `prism events`: `rename amount→amountCents, default currency`, or `function`. */
  readonly summary: string;
  /**
   * What the step does, as text that changes whenever its result can: the declared step in canonical JSON,
   * or a function's source. Part of the fingerprint of every projection reading the type, so changing an
   * upcaster rebuilds the views built with the old one (upcasting-plan.ts).
   */
  readonly identity: string;
  /** @throws an Error when the payload cannot be upcast (the event is then parked, like any poison event). */
  run(data: JsonObject, event: StoredEvent): JsonObject;
}

export interface CatalogedEventType {
  readonly type: string;
  /** Where it is declared: `aggregate order`, or the catalog file's `file:line`. */
  readonly origin: string;
  /** For an aggregate's event: where the aggregate is defined (`file:line:col`). */
  readonly definedAt?: string;
  /** The versions whose schema is known, at least the latest. */
  readonly versions: ReadonlyMap<number, EventVersion>;
  readonly latest: number;
  /** By `from` version; contiguous up to `latest - 1` (a gap is a catalog error). */
  readonly upcasters: ReadonlyMap<number, UpcastStep>;
}

export class EventCatalog {
  private readonly byType: ReadonlyMap<string, CatalogedEventType>;

  constructor(
    types: Iterable<CatalogedEventType>,
    /**
     * Whether the catalog lists every event type the log may hold (`complete: true` in the catalog file).
     * Then a `source.events` entry outside it is an error instead of a warning.
     */
    readonly complete = false,
  ) {
    this.byType = new Map([...types].map((entry) => [entry.type, entry]));
  }

  static readonly EMPTY = new EventCatalog([]);

  get size(): number {
    return this.byType.size;
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  get(type: string): CatalogedEventType | undefined {
    return this.byType.get(type);
  }

  /** Every catalogued type, sorted by name. */
  list(): CatalogedEventType[] {
    return [...this.byType.values()].sort((a, b) => a.type.localeCompare(b.type));
  }

  types(): ReadonlySet<string> {
    return new Set(this.byType.keys());
  }

  /** The latest version's schema of a catalogued type. */
  latestSchema(type: string): JsonSchema | undefined {
    const entry = this.byType.get(type);
    return entry?.versions.get(entry.latest)?.schema;
  }

  /** Whether any of these types has an upcaster (a plan reading only others needs no upcasting). */
  upcastsAny(types: Iterable<string>): boolean {
    for (const type of types) if ((this.byType.get(type)?.upcasters.size ?? 0) > 0) return true;
    return false;
  }
}
