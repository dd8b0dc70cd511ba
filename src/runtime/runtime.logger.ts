/** The runtime's logging seam: plain console by default; the Nest app passes its own logger. */
export interface RuntimeLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** What a line is about, for structured (JSON) logs; the message says the same in words. */
export interface LogFields {
  readonly projection?: string;
  readonly generation?: number;
  readonly position?: bigint;
  readonly eventType?: string;
  /** The correlation id of the command that wrote the event (from its metadata). */
  readonly correlationId?: string;
}

export const consoleLogger: RuntimeLogger = {
  info: (message) => console.log(`[prism] ${message}`),
  warn: (message) => console.warn(`[prism] ${message}`),
  error: (message) => console.error(`[prism] ${message}`),
};

export const silentLogger: RuntimeLogger = { info: () => {}, warn: () => {}, error: () => {} };
