/**
 * One Elasticsearch refresh for many read-your-writes requests. After the gate, a request's writes are
 * in the index but not searchable until the next refresh (about 1 s). Refreshing per request would
 * hammer the cluster, so refreshes of one alias are coalesced: at most one runs at a time, requests
 * arriving while one runs share the next one (the running one may have started before their writes
 * were committed), and a request whose writes an earlier, completed refresh already covered needs none.
 *
 * "Covered" is told cheaply by the checkpoint: a refresh covers every checkpoint that requests had seen
 * when it started, because the runner moves its checkpoint only after the bulk write returned.
 */
import type { ReadProgress } from './consistency.gate';

interface Pending {
  covers: bigint;
  generation: number;
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export class RefreshCoalescer {
  private running = false;
  private next: Pending | undefined;
  /** The generation and checkpoint the last completed refresh covered. */
  private refreshed: ReadProgress | undefined;
  /** Refreshes actually sent (for tests and metrics). */
  count = 0;

  constructor(private readonly refresh: () => Promise<unknown>) {}

  /** Resolves once a refresh that started after `progress` was committed has completed. */
  request(progress: ReadProgress): Promise<void> {
    const done = this.refreshed;
    if (
      done !== undefined &&
      done.generation === progress.generation &&
      done.checkpoint >= progress.checkpoint
    ) {
      return Promise.resolve();
    }
    if (this.next === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { covers: progress.checkpoint, generation: progress.generation, promise, resolve, reject };
    } else if (
      progress.generation > this.next.generation ||
      (progress.generation === this.next.generation && progress.checkpoint > this.next.covers)
    ) {
      this.next.generation = progress.generation;
      this.next.covers = progress.checkpoint;
    }
    const promise = this.next.promise;
    this.start();
    return promise;
  }

  private start(): void {
    if (this.running || this.next === undefined) return;
    const batch = this.next;
    this.next = undefined;
    this.running = true;
    this.count += 1;
    this.refresh()
      .then(
        () => {
          this.refreshed = { generation: batch.generation, checkpoint: batch.covers };
          batch.resolve();
        },
        (error: unknown) => batch.reject(error),
      )
      .finally(() => {
        this.running = false;
        this.start();
      });
  }
}
