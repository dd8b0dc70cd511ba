/**
 * The append route (`POST /streams/{streamId}/events`) as a module: mount it where the host has an
 * EventAppender (EVENT_APPENDER) and an EventLog (EVENT_LOG). PrismModule mounts it (src/nest, option
 * `http.appendRoute`) unless it was given only an EventLog; it provides the Idempotency-Key lease.
 */
import { Logger, Module } from '@nestjs/common';
import { PRISM_CONFIG, type PrismConfig } from '../nest/prism-config';
import { EventStreamIdempotencyStore } from '../commands/idempotency/event-stream.idempotency-store';
import type { EventAppender, EventLog } from '../eventstore/event-store.port';
import { EVENT_APPENDER, EVENT_LOG } from '../eventstore/event-store.module';
import { streamWriterOf } from '../eventstore/stream-writer';
import type { EventCatalog } from '../events-catalog/event-catalog';
import { EVENT_CATALOG } from '../projection-host/projection-catalog';
import { AppendController } from './append.controller';
import { AppendService } from './append.service';

const logger = new Logger('Append');

@Module({
  controllers: [AppendController],
  providers: [
    {
      provide: AppendService,
      inject: [EVENT_APPENDER, EVENT_LOG, PRISM_CONFIG, { token: EVENT_CATALOG, optional: true }],
      useFactory: (
        appender: EventAppender,
        log: EventLog,
        config: PrismConfig,
        catalog: EventCatalog | undefined,
      ) => {
        const writer = streamWriterOf(appender, log);
        // The same key streams as the commands' (stateless, kept in the log), so one key namespace.
        const idempotency = new EventStreamIdempotencyStore(writer, {
          leaseMs: config.commands.idempotencyLeaseMs,
          log: (message) => logger.warn(message),
        });
        // Payloads of catalogued event types are checked before they are written (issue #16).
        return new AppendService(writer, idempotency, (message) => logger.warn(message), catalog);
      },
    },
  ],
})
export class AppendModule {}
