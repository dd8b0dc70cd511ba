/**
 * "Something may have been appended": a version counter that appenders (or a LISTEN connection) bump and
 * polling subscriptions wait on. A waiter passes the version it saw before its last read, so a change that
 * lands between that read and the wait is never missed: the wait returns at once.
 */
export class ChangeNotifier {
  private current = 0;
  private readonly waiters = new Set<() => void>();

  get version(): number {
    return this.current;
  }

  notify(): void {
    this.current++;
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves when the version differs from `seen`, after `timeoutMs`, or when `signal` aborts. */
  async waitForChange(seen: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.current !== seen || signal?.aborted === true) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
