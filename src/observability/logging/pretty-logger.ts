/**
 * Nest's console logger for people at a terminal, with the two things Prism adds to every line: URL
 * passwords redacted, and structured fields left out (the message already says them in words).
 */
import { ConsoleLogger, type ConsoleLoggerOptions } from '@nestjs/common';
import { StructuredFields } from './log-fields';
import { redactSecrets } from './redact';

export interface PrettyLoggerOptions extends ConsoleLoggerOptions {
  /** Contexts whose errors are left out (main prints a failed start its own way). */
  readonly ignoreErrorContexts?: readonly string[];
}

export class PrettyLogger extends ConsoleLogger {
  private readonly ignoreErrorContexts: readonly string[];

  constructor(options: PrettyLoggerOptions = {}) {
    const { ignoreErrorContexts = [], ...consoleOptions } = options;
    super(consoleOptions);
    this.ignoreErrorContexts = ignoreErrorContexts;
  }

  override log(message: unknown, ...params: unknown[]): void {
    super.log(clean(message), ...plain(params));
  }

  override warn(message: unknown, ...params: unknown[]): void {
    super.warn(clean(message), ...plain(params));
  }

  override error(message: unknown, ...params: unknown[]): void {
    const last = params.at(-1);
    if (typeof last === 'string' && this.ignoreErrorContexts.includes(last)) return;
    super.error(clean(message), ...plain(params));
  }

  override debug(message: unknown, ...params: unknown[]): void {
    super.debug(clean(message), ...plain(params));
  }

  override verbose(message: unknown, ...params: unknown[]): void {
    super.verbose(clean(message), ...plain(params));
  }

  override fatal(message: unknown, ...params: unknown[]): void {
    super.fatal(clean(message), ...plain(params));
  }
}

function clean(message: unknown): unknown {
  return typeof message === 'string' ? redactSecrets(message) : message;
}

function plain(params: readonly unknown[]): unknown[] {
  return params
    .filter((param) => !(param instanceof StructuredFields))
    .map((param) => (typeof param === 'string' ? redactSecrets(param) : param));
}
