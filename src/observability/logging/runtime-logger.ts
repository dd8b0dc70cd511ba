/** The projection runtime's logger on top of a Nest Logger, keeping the runtime's structured fields. */
import type { Logger } from '@nestjs/common';
import type { LogFields, RuntimeLogger } from '../../runtime/runtime.logger';
import { withFields } from './log-fields';

export function nestRuntimeLogger(logger: Logger): RuntimeLogger {
  const extra = (fields: LogFields | undefined) => (fields === undefined ? [] : [withFields(fields)]);
  return {
    info: (message, fields) => logger.log(message, ...extra(fields)),
    warn: (message, fields) => logger.warn(message, ...extra(fields)),
    error: (message, fields) => logger.error(message, ...extra(fields)),
  };
}
