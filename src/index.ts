/**
 * The public API of `@prism/platform`: what a team's own NestJS app imports. Everything else under src/ is
 * internal and may change in any release (see CHANGELOG.md and docs/VERSIONING.md).
 */
export type {
  AppendResult,
  EventAppender,
  EventLog,
  EventMetadata,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  LogFilter,
  LogSubscription,
  ReadAllOptions,
  StoredEvent,
  SubscribeOptions,
} from './eventstore/event-store.port';
