/**
 * Graceful shutdown's bookkeeping (issue #18): whether this node is draining, and how many requests are
 * still being answered. While draining, requests that would change something are refused (503
 * `shutting_down` with Retry-After, so a client retries on another node), reads are still answered, and
 * shutdown waits until the requests already running have their answer before the server closes.
 * No Nest here: main.ts, the middleware and readiness share one instance.
 */
export class ShuttingDownError extends Error {
  override readonly name = 'ShuttingDownError';
  constructor(readonly retryAfterSeconds: number) {
    super(
      'This Prism node is shutting down and takes no new commands; nothing was written. ' +
        'Retry the request (another node, or this one once it is back).',
    );
  }
}

export class ShutdownGate {
  private draining = false;
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();

  get isDraining(): boolean {
    return this.draining;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  startDraining(): void {
    this.draining = true;
  }

  /** Counts one request until the returned function is called (at most once has an effect). */
  enter(): () => void {
    this.inFlight++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of [...this.idleWaiters]) wake();
    };
  }

  /** Resolves true once no request is in flight, or false when `timeoutMs` passed first. */
  waitUntilIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        resolve(idle);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(wake);
    });
  }
}
