/**
 * One reader of the log per node (issue #17): before it, each runner (each projection, each segment, each
 * rebuild) had a subscription of its own, so a start with eight projections read and decoded the log eight
 * times. The shared reader is an EventLog in front of the real one; its `subscribeToAll` hands out
 * SharedSubscriptions that are served, while they keep up, from one subscription on the log whose events
 * are kept in a window (event-window.ts) that each subscriber scans from its own index. Everything else
 * (checkpoints, batches, commits and their compare-and-set, fencing) stays each runner's own: the runner
 * cannot tell a shared subscription from the log's.
 *
 * The rules that keep every subscriber exact (each matching event after its start, once, in order):
 *
 *  - The window holds every event of the read filter in (floor, position]: the reader's one subscription
 *    delivers them all, and only the oldest are evicted (floor moves to the newest evicted).
 *  - The read filter is the union of the filters declared (the runtime declares every projection's at
 *    start) and of those of the subscribers; an event type joins it at some position (`coveredFrom`), when
 *    the reader reopens its subscription there with the wider filter.
 *  - A subscriber attaches only when its cursor c is in the window (floor <= c <= position) and every type
 *    it reads is covered from c or earlier: the window then has every event it still needs up to
 *    `position`, and the reader's subscription has the rest.
 *
 * Isolation: a subscriber that does not keep up holds the window's oldest events. When the window is full,
 * the reader evicts what every attached subscriber has taken; if that is nothing and another subscriber
 * waits for new events, the laggards (in the oldest half of the window) are detached: they read on their
 * own from their cursor and attach again once inside the window. So a slow, paused or failed runner costs
 * at most a window's wait, never the others' progress. A runner far behind (a rebuild from 0 beside live
 * ones) starts on its own reads and joins when it reaches the window.
 *
 * With no subscriber attached the reader stops and forgets its window; the next subscriber to attach
 * starts it again at its own cursor.
 *
 * The start hold: runners do not subscribe at once (an Elasticsearch or Neo4j target takes seconds to
 * prepare while a PostgreSQL runner is already reading), and a runner that comes after the window moved
 * past its cursor reads on its own, repeating the reads the window was meant to share. So while the
 * runtime starts its runners (`holdStart`: until as many subscriptions as it starts runners came, at most
 * `startHoldMs`), the reader fills its window but evicts nothing: the runners already reading wait at most
 * that long, once, at start. A projection that cannot start shortens the hold (`releaseStart`).
 */
import type {
  EventLog,
  LogFilter,
  LogSubscription,
  ReadAllOptions,
  StoredEvent,
  SubscribeOptions,
} from '../../eventstore/event-store.port';
import { normalizeFilter } from '../../eventstore/log-filter';
import { EventWindow } from './event-window';
import { LOG_START, SharedSubscription, type SharedWindow } from './shared-subscription';

export interface SharedLogReaderOptions {
  /** Events kept in the window (memory: about this many events). Default 16,000. */
  readonly window?: number;
  /** Read-ahead of the reader's one subscription on the log. Default 4,000. */
  readonly bufferSize?: number;
  /** The longest a start hold keeps the window from moving (holdStart). Default 30 s. */
  readonly startHoldMs?: number;
  /** Told when a subscriber is detached: it fell a window behind, or ran ahead of most others. */
  readonly onDetach?: (filter: LogFilter, cursor: bigint, why: 'behind' | 'ahead') => void;
}

export const DEFAULT_SHARED_WINDOW = 16_000;
/**
 * A member attached this recently is not let go as a laggard: one that attaches at the window's start (a
 * runner that came late to the start hold) needs a moment to take its first events.
 */
const ATTACH_GRACE_MS = 1_000;
/** The longest the window waits at start for runners still preparing their stores. */
export const DEFAULT_START_HOLD_MS = 30_000;

/** What the reader did, for tests and the benchmark. */
export interface SharedReaderStats {
  /** Events the reader's own subscription delivered (each read once for every attached subscriber). */
  readonly eventsRead: number;
  /** Subscriptions served from the window now. */
  readonly attached: number;
  /** Open subscriptions, attached or reading on their own. */
  readonly subscribers: number;
  /** Times a subscription attached to the window (at its start, or after catching up on its own). */
  readonly attaches: number;
  /** Times a subscription fell a window behind (or ran ahead of most) and went on reading on its own. */
  readonly detaches: number;
  /** Times the reader (re)opened its subscription on the log: starts, wider filters, resets. */
  readonly opens: number;
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

export class SharedLogReader implements EventLog, SharedWindow {
  readonly kind: string;
  private readonly windowSize: number;
  private readonly bufferSize: number;
  private readonly window = new EventWindow();
  private readonly subscribers = new Set<SharedSubscription>();
  private readonly attached = new Set<SharedSubscription>();
  /** Event types read ('all': every type). */
  private types: Set<string> | 'all' = new Set();
  /** Since which position each type is in the window (see the file comment). */
  private coveredFrom = new Map<string, bigint>();
  private allFrom: bigint | undefined;
  private running = false;
  /** Bumped by every reset, so a pump of an earlier run stops. */
  private run = 0;
  private floor = LOG_START;
  private position = LOG_START;
  private source: { subscription: LogSubscription; iterator: AsyncIterator<StoredEvent> } | undefined;
  private filterChanged = false;
  private grown: Deferred = deferred();
  private room: Deferred | undefined;
  private counters = { eventsRead: 0, attaches: 0, detaches: 0, opens: 0 };
  /** While the runtime starts its runners: when the hold ends at the latest (epoch ms). */
  private holdUntil: number | undefined;
  /** Subscriptions still expected before the hold ends. */
  private holdAwaits = 0;
  /** When the pump, waiting for room, must look again though no runner woke it (epoch ms). */
  private wakeAt: number | undefined;

  constructor(
    private readonly log: EventLog,
    private readonly options: SharedLogReaderOptions = {},
  ) {
    this.kind = log.kind;
    this.windowSize = Math.max(2, options.window ?? DEFAULT_SHARED_WINDOW);
    this.bufferSize = Math.max(1, options.bufferSize ?? 4_000);
  }

  // EventLog --------------------------------------------------------------------------------------

  readStream(
    streamId: string,
    options?: { fromRevision?: number; maxCount?: number },
  ): Promise<StoredEvent[]> {
    return this.log.readStream(streamId, options);
  }

  readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    return this.log.readAll(options);
  }

  headPosition(filter?: LogFilter): Promise<bigint> {
    return this.log.headPosition(filter);
  }

  subscribeToAll(options: SubscribeOptions = {}): LogSubscription {
    const filter = options.filter ?? {};
    this.declare(filter);
    const subscriber = new SharedSubscription(this, this.log, filter, options.after, options.bufferSize);
    this.subscribers.add(subscriber);
    return subscriber;
  }

  /** Stops the reader and closes its subscribers; the log itself is not closed (it is not the reader's). */
  async close(): Promise<void> {
    await Promise.all([...this.subscribers].map((subscriber) => subscriber.close()));
    await this.reset();
  }

  // The window ------------------------------------------------------------------------------------

  /**
   * Adds a filter's event types to what the reader reads (the runtime declares every projection's before
   * its runners subscribe, so they all start covered). Widening a running reader reopens its subscription.
   */
  declare(filter: LogFilter): void {
    const { eventTypes } = normalizeFilter(filter);
    if (this.types === 'all') return;
    if (eventTypes === undefined) {
      this.types = 'all';
      this.filterChanged = true;
    } else {
      for (const type of eventTypes) {
        if (this.types.has(type)) continue;
        this.types.add(type);
        this.filterChanged = true;
      }
    }
    if (this.filterChanged && this.running) void this.source?.subscription.close().catch(() => undefined);
  }

  /**
   * The runtime is starting `runners` runners: until that many subscriptions came (or `startHoldMs`, or
   * `releaseStart`), the window keeps every event from where the reader began, so a runner that
   * subscribes late still finds its cursor in it.
   */
  holdStart(runners: number): void {
    if (runners <= 1) return;
    this.holdAwaits = runners;
    this.holdUntil = Date.now() + (this.options.startHoldMs ?? DEFAULT_START_HOLD_MS);
  }

  /**
   * Ends the hold within `ms`: the runtime's runners have all started or recorded why they could not, so
   * the subscriptions still to come are at most a checkpoint read away (and some never come).
   */
  releaseStart(ms = 0): void {
    if (this.holdUntil === undefined) return;
    this.holdUntil = Math.min(this.holdUntil, Date.now() + ms);
    this.wakePump();
  }

  get stats(): SharedReaderStats {
    return { ...this.counters, attached: this.attached.size, subscribers: this.subscribers.size };
  }

  tryAttach(member: SharedSubscription): boolean {
    const attached = this.attach(member);
    // Counted once it attached (or could not): releasing before would let the window move past it.
    if (!member.arrived) {
      member.arrived = true;
      if (this.holdUntil !== undefined && --this.holdAwaits <= 0) this.releaseStart();
    }
    return attached;
  }

  private attach(member: SharedSubscription): boolean {
    if (member.mode !== 'own') return false;
    const cursor = member.cursor;
    if (!this.running) {
      this.begin(cursor);
    } else {
      const covered = this.coveredSince(member);
      if (covered === undefined || cursor < covered) {
        this.declare(member.rawFilter);
        return false;
      }
      if (cursor < this.floor || cursor > this.position) return false;
      if (member.leftAhead !== undefined && this.position <= member.leftAhead) return false;
    }
    member.leftAhead = undefined;
    member.mode = 'attached';
    member.attachedAt = Date.now();
    member.index = this.window.indexAfter(cursor);
    this.attached.add(member);
    this.counters.attaches += 1;
    return true;
  }

  take(member: SharedSubscription): StoredEvent | undefined {
    const { window } = this;
    const end = window.end;
    const slowest = this.room !== undefined && member.index === this.lowestIndex();
    let found: StoredEvent | undefined;
    while (member.index < end) {
      const event = window.at(member.index++)!;
      if (member.matches(event)) {
        found = event;
        break;
      }
    }
    // The pump waits for room: the slowest subscriber just made some.
    if (slowest) this.wakePump();
    return found;
  }

  changed(member: SharedSubscription): Promise<void> {
    // A member waiting at the end of a full window is what makes the pump detach the laggards.
    if (this.room !== undefined && member.index >= this.window.end) this.wakePump();
    return this.grown.promise;
  }

  leave(member: SharedSubscription): void {
    this.subscribers.delete(member);
    if (this.attached.delete(member)) {
      if (this.attached.size === 0) void this.reset();
      else this.wakePump();
    }
  }

  // Internals -------------------------------------------------------------------------------------

  private holding(): boolean {
    if (this.holdUntil === undefined) return false;
    if (this.holdUntil > Date.now()) return true;
    this.holdUntil = undefined;
    return false;
  }

  private coveredSince(member: SharedSubscription): bigint | undefined {
    const types = member.filter.eventTypes;
    if (types === undefined) return this.allFrom;
    let since: bigint | undefined = LOG_START;
    for (const type of types) {
      const from = minDefined(this.coveredFrom.get(type), this.allFrom);
      if (from === undefined) return undefined;
      if (since === undefined || from > since) since = from;
    }
    return since;
  }

  private begin(cursor: bigint): void {
    this.running = true;
    this.run += 1;
    this.window.clear();
    this.floor = cursor;
    this.position = cursor;
    this.coveredFrom = new Map();
    this.allFrom = undefined;
    this.filterChanged = true;
    this.open();
    void this.pump(this.run);
  }

  /** (Re)opens the reader's subscription after `position` with the current filter; new types covered from there. */
  private open(): void {
    const previous = this.source;
    if (previous !== undefined) void previous.subscription.close().catch(() => undefined);
    if (this.types === 'all') this.allFrom ??= this.position;
    else
      for (const type of this.types)
        if (!this.coveredFrom.has(type)) this.coveredFrom.set(type, this.position);
    const filter = this.types === 'all' ? {} : { eventTypes: [...this.types] };
    const subscription = this.log.subscribeToAll({
      ...(this.position !== LOG_START && { after: this.position }),
      filter,
      bufferSize: this.bufferSize,
    });
    this.source = { subscription, iterator: subscription[Symbol.asyncIterator]() };
    this.filterChanged = false;
    this.counters.opens += 1;
  }

  private async pump(run: number): Promise<void> {
    try {
      while (this.run === run) {
        if (this.filterChanged) this.open();
        await this.makeRoom(run);
        if (this.run !== run) return;
        if (this.filterChanged) continue;
        const result = await this.source!.iterator.next();
        if (this.run !== run) return;
        if (result.done === true) {
          if (this.filterChanged) continue; // closed to widen the filter
          throw new Error(`the ${this.log.kind} event store ended the shared reader's subscription`);
        }
        this.admit(result.value);
        // What the subscription holds besides, as far as the window has room: one push per event, not a
        // next() promise per event (the runners take from the window the same way, see BatchReader).
        const ready = this.source!.subscription.takeReady?.(this.windowSize - this.window.length) ?? [];
        for (const event of ready) this.admit(event);
        this.wakeMembers();
      }
    } catch (error) {
      if (this.run !== run) return;
      // Attached subscribers see the log's error as they would have seen it from their own subscription.
      for (const member of this.attached) member.fail(error);
      this.attached.clear();
      this.wakeMembers();
      await this.reset();
    }
  }

  /** An event read from the log joins the window. */
  private admit(event: StoredEvent): void {
    this.window.push(event);
    this.position = event.position;
    this.counters.eventsRead += 1;
  }

  /** Waits until the window has room for one more event, evicting and detaching as the file comment says. */
  private async makeRoom(run: number): Promise<void> {
    const { window } = this;
    while (this.run === run && window.length >= this.windowSize) {
      const held = this.holding();
      const evictable = held ? 0 : this.lowestIndex() - window.base;
      if (evictable > 0) {
        // Evict in chunks, keeping most of the window for subscribers that may attach.
        const chunk = Math.max(1, Math.floor(this.windowSize / 8));
        this.evict(Math.min(evictable, window.length - this.windowSize + chunk));
        return;
      }
      this.wakeAt = held ? this.holdUntil : undefined;
      if (!held && this.someoneWaits() && this.split()) continue;
      this.room = deferred();
      // Held (or a laggard in its grace): the runners taking events make no room, the clock does.
      const timer =
        this.wakeAt === undefined ? undefined : setTimeout(() => this.wakePump(), this.wakeAt - Date.now());
      await this.room.promise;
      clearTimeout(timer);
      this.room = undefined;
    }
  }

  private evict(count: number): void {
    const last = this.window.evict(count);
    if (last !== undefined) this.floor = last.position;
  }

  /**
   * The window is full and someone waits for new events: the subscribers split in two, those in the
   * window's oldest half (behind) and the others. The smaller group reads on its own: usually the laggards
   * (a slow store, a paused runner), which frees the window at once (true); but when most are behind and
   * a few run ahead (a projection that reads a rare type), the few that wait are let go instead, and the
   * many keep sharing the reads at their own pace (false: room comes as they take events).
   */
  private split(): boolean {
    const cut = this.window.base + Math.floor(this.windowSize / 2);
    const end = this.window.end;
    const now = Date.now();
    const behind = [...this.attached].filter((member) => member.index < cut);
    const inGrace = behind.filter((member) => member.attachedAt + ATTACH_GRACE_MS > now);
    if (inGrace.length > 0) {
      // Some just attached: judge the laggards together once the last one's grace is over (nothing else
      // wakes the pump then). Judging those past it alone would count a majority behind as a minority
      // and detach them one by one (two attached a millisecond apart: the first's grace ends first).
      this.wakeAt = Math.max(...inGrace.map((member) => member.attachedAt)) + ATTACH_GRACE_MS;
      return false;
    }
    const waiting = [...this.attached].filter((member) => member.index >= end);
    const lettingBehindGo = behind.length <= this.attached.size - behind.length;
    for (const member of lettingBehindGo ? behind : waiting) {
      this.attached.delete(member);
      // One that ran ahead rejoins only once the reader is past where it left, never straight away.
      member.detach(lettingBehindGo ? undefined : this.position);
      this.counters.detaches += 1;
      this.options.onDetach?.(member.rawFilter, member.cursor, lettingBehindGo ? 'behind' : 'ahead');
    }
    this.wakeMembers();
    return lettingBehindGo;
  }

  private someoneWaits(): boolean {
    const end = this.window.end;
    for (const member of this.attached) if (member.index >= end) return true;
    return false;
  }

  private lowestIndex(): number {
    let lowest = this.window.end;
    for (const member of this.attached) if (member.index < lowest) lowest = member.index;
    return lowest;
  }

  private wakePump(): void {
    this.room?.resolve();
  }

  private wakeMembers(): void {
    const grown = this.grown;
    this.grown = deferred();
    grown.resolve();
  }

  private async reset(): Promise<void> {
    this.run += 1;
    this.running = false;
    const source = this.source;
    this.source = undefined;
    this.window.clear();
    this.wakePump();
    this.wakeMembers();
    await source?.subscription.close().catch(() => undefined);
  }
}

function minDefined(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
