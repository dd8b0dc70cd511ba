/** The app's logger for a PRISM_LOG_FORMAT (main.ts); tests build a JsonLogger with their own sink. */
import type { LoggerService, LogLevel } from '@nestjs/common';
import { JsonLogger } from './json-logger';
import type { LogFormat } from './log-format';
import { PrettyLogger } from './pretty-logger';
import { redactSecrets } from './redact';

export interface LoggerSettings {
  readonly logLevels: LogLevel[];
  readonly ignoreErrorContexts?: readonly string[];
}

export function createLogger(format: LogFormat, settings: LoggerSettings): LoggerService {
  return format === 'json' ? new JsonLogger(settings) : new PrettyLogger({ ...settings });
}

/** A line main prints itself (the start-up banner), in the chosen format, to stdout. */
export function announce(format: LogFormat, message: string): void {
  const text = redactSecrets(message);
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify({ time: new Date().toISOString(), level: 'info', context: 'Prism', message: text })}\n`
      : `${text}\n`,
  );
}
