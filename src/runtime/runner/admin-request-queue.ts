/**
 * Operator requests that change a runner's stored view (replay and discard of parked events) run on the
 * runner's own loop, between batches, so they never race a batch over the same keys. They wait here in
 * arrival order; the loop settles its pipeline, runs them one after the other, then reads on from the
 * stored state. A runner whose loop is not running runs a request at once (nothing to race with); one
 * whose loop ends with requests still waiting fails them rather than leave them hanging.
 *
 * Pause and resume are not requests: they set a flag the loop reads between batches (runner-loop.ts).
 */

interface AdminRequest {
  run(): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface RequestedLoop {
  readonly isRunning: boolean;
  /** Wakes the loop from a read or a backoff, so it runs the request without waiting for an event. */
  interrupt(): void;
}

export class AdminRequestQueue {
  private readonly requests: AdminRequest[] = [];

  constructor(private readonly loop: () => RequestedLoop) {}

  get pending(): boolean {
    return this.requests.length > 0;
  }

  /** Runs `run` on the loop, after the batch in flight and every request queued before it. */
  enqueue<T>(run: () => Promise<T>): Promise<T> {
    const loop = this.loop();
    if (!loop.isRunning) return run();
    return new Promise<T>((resolve, reject) => {
      this.requests.push({ run, resolve, reject });
      loop.interrupt();
    });
  }

  /** Runs every waiting request, in arrival order (requests queued meanwhile too); one failing fails alone. */
  async runAll(): Promise<void> {
    while (this.requests.length > 0) {
      const request = this.requests.shift()!;
      try {
        request.resolve(await request.run());
      } catch (error) {
        request.reject(error);
      }
    }
  }

  /** Fails every waiting request with the error `why` makes (the loop ended). */
  rejectAll(why: () => unknown): void {
    for (const request of this.requests.splice(0)) request.reject(why());
  }
}
