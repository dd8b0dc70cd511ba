import { Global, Logger, Module } from '@nestjs/common';
import { PRISM_CONFIG, type PrismConfig } from '../nest/prism-config';
import type { EventAppender, EventLog, StreamWriter } from '../eventstore/event-store.port';
import { EVENT_APPENDER, EVENT_LOG } from '../eventstore/event-store.module';
import { streamWriterOf } from '../eventstore/stream-writer';
import { RunAggregateCommandHandler } from '../aggregates/run-aggregate-command';
import { CommandRunner } from './command-runner';
import { EventStreamIdempotencyStore } from './idempotency/event-stream.idempotency-store';
import type { IdempotencyStore } from './idempotency/idempotency.port';

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
const STREAM_WRITER = Symbol('STREAM_WRITER');

const logger = new Logger('Commands');

/**
 * The write side's shared pieces, global: CommandRunner, the Idempotency-Key store and the one command
 * handler of defined aggregates (src/aggregates), which PrismAggregatesModule's routes rely on.
 * Needs CqrsModule.forRoot() and PrismModule in the app (which provides the config and the event store).
 */
@Global()
@Module({
  providers: [
    {
      provide: STREAM_WRITER,
      inject: [EVENT_APPENDER, EVENT_LOG],
      useFactory: (appender: EventAppender, log: EventLog): StreamWriter => streamWriterOf(appender, log),
    },
    {
      provide: IDEMPOTENCY_STORE,
      inject: [STREAM_WRITER, PRISM_CONFIG],
      useFactory: (store: StreamWriter, config: PrismConfig): IdempotencyStore =>
        new EventStreamIdempotencyStore(store, {
          leaseMs: config.commands.idempotencyLeaseMs,
          log: (message) => logger.warn(message),
        }),
    },
    {
      provide: CommandRunner,
      inject: [STREAM_WRITER, IDEMPOTENCY_STORE],
      useFactory: (store: StreamWriter, idempotency: IdempotencyStore) =>
        new CommandRunner(store, idempotency, (message) => logger.warn(message)),
    },
    RunAggregateCommandHandler,
  ],
  exports: [CommandRunner, IDEMPOTENCY_STORE],
})
export class CommandsModule {}
