/**
 * One store connection's ups and downs, logged once per outage instead of once per failed call (issue #12
 * item 11: a cut PostgreSQL makes every pooled client, the LISTEN connection and every retry fail at once;
 * a line each would bury the one that matters). The first failure logs a warning that names the store;
 * the first success after it logs that the store is reachable again and how long it was away.
 */
export interface ConnectionLogger {
  /** Both lines of an outage are warnings: the recovery closes the incident the first one opened. */
  warn(message: string): void;
}

export const consoleConnectionLogger: ConnectionLogger = {
  warn: (message) => console.warn(`[prism] ${message}`),
};

export class ConnectionWatch {
  private downSince: number | undefined;

  constructor(
    /** What the store is, for people: e.g. `PostgreSQL event store at 127.0.0.1:5432/prism`. */
    readonly store: string,
    private readonly logger: ConnectionLogger = consoleConnectionLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** True between a lost connection and the next successful call. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** A connection failed or dropped: logged once per outage, never thrown. */
  lost(error: unknown): void {
    if (this.downSince !== undefined) return;
    this.downSince = this.now();
    this.logger.warn(
      `Lost the connection to the ${this.store} (${describe(error)}); retrying, and this is logged once until it is back.`,
    );
  }

  /** A call on the store succeeded: ends the outage, if there was one. Cheap enough for every call. */
  reached(): void {
    if (this.downSince === undefined) return;
    const seconds = ((this.now() - this.downSince) / 1000).toFixed(1);
    this.downSince = undefined;
    this.logger.warn(`The ${this.store} is reachable again after ${seconds} s.`);
  }
}

/** The code and message of an error, never its stack (a driver error may embed a URL: see callers). */
function describe(error: unknown): string {
  if (error === null || typeof error !== 'object') return String(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' && message !== '' ? message : 'no message';
  return typeof code === 'string' ? `${code}: ${text}` : text;
}
