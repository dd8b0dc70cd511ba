/**
 * The Nest tokens of the event store, provided to the whole app by PrismModule (src/nest/
 * prism-events.providers.ts, which opens a store from settings or takes the one the app gave):
 *   - `EVENT_LOG` (EventLog, read-only): what the projection host, the query side (read-your-writes),
 *     the admin API and health read through;
 *   - `EVENT_APPENDER` (EventAppender): what commands and the append route write through;
 *   - `EVENT_STORE` (EventStore, both): the full store, for code that is handed one.
 * Depending on the narrowest token keeps a host that is given only an EventLog (a log another tool
 * writes) free of any write path. The adapters and the factory know nothing about Nest.
 */

/** Injection token of the full store: `@Inject(EVENT_STORE) store: EventStore`. */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** Injection token of the read side: `@Inject(EVENT_LOG) log: EventLog`. */
export const EVENT_LOG = Symbol('EVENT_LOG');
/** Injection token of the write side: `@Inject(EVENT_APPENDER) appender: EventAppender`. */
export const EVENT_APPENDER = Symbol('EVENT_APPENDER');
