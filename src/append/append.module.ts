/**
 * The append route (`POST /streams/{streamId}/events`) as a module: mount it where the host has an
 * EventAppender (EVENT_APPENDER) and an EventLog (EVENT_LOG), e.g. next to EventStoreModule. A host given
 * only an EventLog does not import it. Needs ConfigModule (the Idempotency-Key lease) in the app.
 */
import { Logger, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventStreamIdempotencyStore } from '../commands/idempotency/event-stream.idempotency-store';
import type { EventAppender, EventLog } from '../eventstore/event-store.port';
import { EVENT_APPENDER, EVENT_LOG } from '../eventstore/event-store.module';
import { streamWriterOf } from '../eventstore/stream-writer';
import { AppendController } from './append.controller';
import { AppendService } from './append.service';

const logger = new Logger('Append');

@Module({
  controllers: [AppendController],
  providers: [
    {
      provide: AppendService,
      inject: [EVENT_APPENDER, EVENT_LOG, APP_CONFIG],
      useFactory: (appender: EventAppender, log: EventLog, config: AppConfig) => {
        const writer = streamWriterOf(appender, log);
        // The same key streams as the commands' (stateless, kept in the log), so one key namespace.
        const idempotency = new EventStreamIdempotencyStore(writer, {
          leaseMs: config.commands.idempotencyLeaseMs,
          log: (message) => logger.warn(message),
        });
        return new AppendService(writer, idempotency, (message) => logger.warn(message));
      },
    },
  ],
})
export class AppendModule {}
