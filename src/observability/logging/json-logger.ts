/**
 * A Nest LoggerService that writes one JSON object per line:
 *   {"time":"2026-…Z","level":"warn","context":"Projections","message":"…","projection":"…","position":"42","correlationId":"…"}
 * `correlationId` comes from the line's fields (e.g. a parked event's metadata) or else from the HTTP request
 * being handled. Positions and other bigints are written as strings. URL passwords are redacted.
 */
import type { LoggerService, LogLevel } from '@nestjs/common';
import { currentCorrelationId } from './log-context';
import { StructuredFields } from './log-fields';
import { redactSecrets } from './redact';

export interface JsonLoggerOptions {
  /** Levels written; default log, warn, error, fatal. */
  readonly logLevels?: readonly LogLevel[];
  /** Where a line goes (without its newline); default stdout. */
  readonly write?: (line: string) => void;
  /** Contexts whose errors are left out (main prints a failed start its own way). */
  readonly ignoreErrorContexts?: readonly string[];
}

/** Nest's `log` level is `info` to everyone else. */
const LEVEL_NAMES: Record<LogLevel, string> = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'verbose',
  fatal: 'fatal',
};

export class JsonLogger implements LoggerService {
  private levels: Set<LogLevel>;
  private readonly write: (line: string) => void;

  constructor(private readonly options: JsonLoggerOptions = {}) {
    this.levels = new Set(options.logLevels ?? ['log', 'warn', 'error', 'fatal']);
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.print('log', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.print('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.print('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.print('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.print('verbose', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.print('fatal', message, params);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
  }

  private print(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.levels.has(level)) return;
    const record = recordOf(level, message, params);
    if (level === 'error' && this.options.ignoreErrorContexts?.includes(String(record.context))) return;
    this.write(
      JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
    );
  }
}

/**
 * Nest's calling convention: the context is the last argument when it is a string (a `Logger` instance
 * appends its own); for errors a string before it is the stack.
 */
export function recordOf(
  level: LogLevel,
  message: unknown,
  params: readonly unknown[],
): Record<string, unknown> {
  const rest = [...params];
  const context = rest.length > 0 && typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
  const record: Record<string, unknown> = {
    time: new Date().toISOString(),
    level: LEVEL_NAMES[level],
    ...(context !== undefined ? { context } : {}),
    message: redactSecrets(textOf(message)),
  };
  const details: unknown[] = [];
  if (message instanceof Error && message.stack !== undefined) record.stack = redactSecrets(message.stack);
  for (const param of rest) {
    if (param === undefined) continue;
    if (param instanceof StructuredFields) Object.assign(record, param.fields);
    else if (param instanceof Error) record.stack = redactSecrets(param.stack ?? param.message);
    else if (typeof param === 'string' && (level === 'error' || level === 'fatal'))
      record.stack = redactSecrets(param);
    else details.push(param);
  }
  if (details.length > 0) record.details = details;
  if (record.correlationId === undefined) {
    const correlationId = currentCorrelationId();
    if (correlationId !== undefined) record.correlationId = correlationId;
  }
  return record;
}

function textOf(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  try {
    return JSON.stringify(message, (_key, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value,
    );
  } catch {
    return String(message);
  }
}
