/**
 * Watches one runner's calls to its two stores, the event store (the log it reads) and the view store
 * (its target), so that its status can say which store is in trouble, since when, and why.
 *
 * Issue #12 item 12: with a view store hung, projections showed `catching-up` with an ETA and no cause;
 * with the event store cut, `live` and 0 behind while the log was unreachable. A hung call never
 * fails, so the watch also remembers every call still waiting for an answer: one that waits longer than
 * the stall bound makes the runner `stalled` just like a store that keeps failing.
 */
import { errorMessage } from './error-classifier';

/** Which of a runner's two stores: the log it reads, or the store its view is written to. */
export type StoreRole = 'event-store' | 'view-store';

/** A store that has not answered (or kept failing) for longer than the stall bound. */
export interface StoreStall {
  readonly store: StoreRole;
  /** The kind of store, as it names itself (`EventStore.kind`, the view's `TargetShape.kind`). */
  readonly kind: string;
  /** When the trouble began: the first failed call of the streak, or the call still waiting. */
  readonly since: Date;
  /** The last error, or how long the oldest call has been waiting. */
  readonly lastError: string;
}

interface Outage {
  readonly since: number;
  message: string;
}

export class StoreWatch {
  private nextCall = 0;
  private readonly pending = new Map<number, { readonly role: StoreRole; readonly since: number }>();
  private readonly outages = new Map<StoreRole, Outage>();
  /** Which store (and which call, by its start) each error object came from. */
  private readonly origins = new WeakMap<object, { readonly role: StoreRole; readonly since: number }>();

  constructor(private readonly kinds: Readonly<Record<StoreRole, string>>) {}

  /**
   * `service` with every promise-returning method watched: pending while it waits, an outage when it
   * fails, the outage over when a call of the same store succeeds. Other members pass through untouched.
   */
  watch<T extends object>(role: StoreRole, service: T): T {
    return new Proxy(service, {
      get: (object, property, receiver) => {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
          return result instanceof Promise ? this.track(role, result) : result;
        };
      },
    });
  }

  /** Records a failure of the runner's loop; an error no watched call raised is blamed on `fallback`. */
  failed(error: unknown, fallback: StoreRole, now = Date.now()): StoreRole {
    const origin = typeof error === 'object' && error !== null ? this.origins.get(error) : undefined;
    const role = origin?.role ?? fallback;
    const outage = this.outages.get(role);
    if (outage === undefined)
      this.outages.set(role, { since: origin?.since ?? now, message: errorMessage(error) });
    else outage.message = errorMessage(error);
    return role;
  }

  /**
   * The store in trouble for at least `afterMs`, if any; the event store first, since nothing moves
   * without the log.
   */
  stall(afterMs: number, now = Date.now()): StoreStall | undefined {
    for (const role of ['event-store', 'view-store'] as const) {
      const outage = this.outages.get(role);
      if (outage !== undefined && now - outage.since >= afterMs)
        return {
          store: role,
          kind: this.kinds[role],
          since: new Date(outage.since),
          lastError: outage.message,
        };
      const waiting = this.oldestPending(role);
      if (waiting !== undefined && now - waiting >= afterMs) {
        return {
          store: role,
          kind: this.kinds[role],
          since: new Date(waiting),
          lastError: `no answer from the ${this.kinds[role]} ${storeRoleName(role)} for ${Math.round((now - waiting) / 1000)} s`,
        };
      }
    }
    return undefined;
  }

  /** Whether a call to this store is still waiting for its answer. */
  isPending(role: StoreRole): boolean {
    return this.oldestPending(role) !== undefined;
  }

  kindOf(role: StoreRole): string {
    return this.kinds[role];
  }

  private oldestPending(role: StoreRole): number | undefined {
    let oldest: number | undefined;
    for (const call of this.pending.values())
      if (call.role === role && (oldest === undefined || call.since < oldest)) oldest = call.since;
    return oldest;
  }

  private track<T>(role: StoreRole, promise: Promise<T>): Promise<T> {
    const id = this.nextCall++;
    const since = Date.now();
    this.pending.set(id, { role, since });
    return promise.then(
      (value) => {
        this.pending.delete(id);
        this.outages.delete(role);
        return value;
      },
      (error: unknown) => {
        this.pending.delete(id);
        if (typeof error === 'object' && error !== null && !this.origins.has(error))
          this.origins.set(error, { role, since });
        throw error;
      },
    );
  }
}

export function storeRoleName(role: StoreRole): string {
  return role === 'event-store' ? 'event store' : 'view store';
}
