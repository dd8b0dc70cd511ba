/** Exponential backoff with full jitter: a random delay in [0, min(cap, initial * 2^attempt)). */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or earlier when `interrupt` resolves. Never keeps the process alive by itself. */
export function sleep(ms: number, interrupt?: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void interrupt?.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
