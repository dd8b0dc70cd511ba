/**
 * The public API of `@prism/platform`: what a team's own NestJS app imports. Everything else under src/ is
 * internal and may change in any release; what is exported here follows semver (docs/VERSIONING.md) and is
 * recorded in docs/api/platform.api.md, which `npm run api:check` (part of `npm run lint`) compares with
 * this file's declarations: a change to the public API must come with that report updated
 * (`npm run api:update`) and a CHANGELOG.md entry.
 *
 * Rules for this file (api-extractor reads it, and a reviewer should be able to read it in one go):
 *  - named exports only, never `export *`, so every public name is chosen, not inherited from a module;
 *  - one section per part of the platform, in the order a host meets them;
 *  - types a public signature mentions are exported too (the report warns about any that are not);
 *  - nothing of an example domain (examples/ imports this file, never the other way round).
 */

// ------------------------------------------------------------------------------------------- event store
// The ports every log adapter implements (read side EventLog, write side EventAppender), their errors,
// and the factory for the built-in adapters. `createEventStore({ kind: 'embedded', file: ':memory:' })`
// is an in-memory store for a host's unit tests.
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
  StreamWriter,
  SubscribeOptions,
} from './eventstore/event-store.port';
export { streamWriterOf } from './eventstore/stream-writer';
// Nest injection tokens: `@Inject(EVENT_LOG) log: EventLog`, `@Inject(EVENT_APPENDER) appender: EventAppender`.
export { EVENT_APPENDER, EVENT_LOG, EVENT_STORE } from './eventstore/event-store.module';
export { EventStoreUnavailableError, WrongExpectedRevisionError } from './eventstore/event-store.errors';
export { createEventStore, type EventStoreConfig } from './eventstore/event-store.factory';
// A read-only log over a PostgreSQL table another tool writes (an outbox, an Emmett or Marten event table):
// src/eventstore/sql-log/README.md.
export {
  sqlTableEventLog,
  SqlTableEventLog,
  type SqlTableEventLogOptions,
} from './eventstore/sql-log/sql-table-event-log';
export type { SqlLogPool } from './eventstore/sql-log/sql-log-catalog';
export {
  SqlLogMappingError,
  type GapSafety,
  type SqlTableMapping,
} from './eventstore/sql-log/sql-log-mapping';
export { ReadOnlyEventLogError } from './eventstore/read-only-log';
export type { ConnectionLogger } from './core/connection-watch';

// ---------------------------------------------------------------------------------------- projection DSL
// YAML (or TypeScript-built) definitions → validation with file:line:col → a compiled, pure plan.
export {
  checkDefinitions,
  checkDefinitionSource,
  compileProjection,
  definitionModelOf,
  DefinitionPathNotFoundError,
  DefinitionValidationError,
  formatDefinitionError,
  loadProjections,
  recompileDefinition,
  validateDefinition,
  type CheckedDefinition,
  type DefinitionCheck,
  type DefinitionError,
  type DefinitionErrorCode,
  type FolderCheck,
  type ValidationOptions,
  type WrittenDefinition,
} from './dsl';
// ------------------------------------------------------------------------------------------ event catalog
// Event types and payload schemas per version, from the aggregates and a catalog file; upcasting before
// projections; payload checks of the append route (issue #16, src/dsl/README.md "Event catalog").
export {
  EventCatalog,
  type CatalogedEventType,
  type EventVersion,
  type JsonSchema,
  type UpcastStep,
} from './events-catalog/event-catalog';
export {
  buildEventCatalog,
  loadEventCatalog,
  type CatalogBuild,
  type CatalogSources,
} from './events-catalog/build-catalog';
export { EventUpcaster, withUpcasting } from './events-catalog/upcasting-plan';
export { checkPayload, type PayloadCheck } from './events-catalog/payload-check';
export { EVENT_CATALOG } from './projection-host/projection-catalog';
export type { DefinitionErrorSeverity } from './dsl/errors/definition-error';
export type { CheckOptions, SourceCheck, WrittenSource } from './dsl/loader/definition.loader';
export {
  codeLocator,
  type PathSegment,
  type SourceLocator,
  type SourcePosition,
} from './dsl/source/source-locator';

// The TypeScript builder: `defineProjection<Events>()({ ...header, target: relational({...}) }).on(...)`.
export {
  defineProjection,
  ProjectionBuilder,
  type DocumentActions,
  type DocumentTargetSection,
  type DocumentWrite,
  type EventMap,
  type EventRef,
  type FanOutWrite,
  type GraphActions,
  type GraphTargetSection,
  type GraphTypes,
  type ProjectionHeader,
  type QueryDeclaration,
} from './dsl/builder/define-projection';
export { cel, type Expr, type Ref, type ValueLike } from './dsl/builder/expression.builder';
export {
  postgres,
  relational,
  type RelationalTarget as RelationalTargetSection,
  type RelationalTargetInput,
} from './stores/relational/dsl/relational.builder';
export {
  elasticsearch,
  type ElasticsearchTarget as ElasticsearchTargetSection,
  type ElasticsearchTargetInput,
} from './stores/elasticsearch/dsl/elasticsearch.builder';
export {
  neo4j,
  type Neo4jTarget as Neo4jTargetSection,
  type Neo4jTargetInput,
} from './stores/neo4j/dsl/neo4j.builder';

// What a compiled definition is: the pure plan the runtime, `verify` and the tests run.
export type { JsonObject, JsonPrimitive, JsonValue } from './core/json';
export {
  ProjectionEvaluationError,
  type CompiledProjection,
  type DocumentKey,
  type NamedQuery,
  type NodeRef,
  type QueryParameter,
  type ViewDocument,
  type ViewOperation,
  type ViewOperationKind,
} from './core/plan';
export type { TargetKind, TargetShape, ViewFamily } from './core/view-shape';
export type {
  LookupDeclaration,
  LookupEntryRef,
  LookupKeyType,
  LookupPlan,
  LookupValues,
  LookupValueType,
  LookupWrite,
  StoredLookupEntry,
  StoredLookups,
} from './core/lookups';
export {
  DEFAULT_FAN_OUT_CAP,
  FanOutCapError,
  MAX_FAN_OUT_CAP,
  type FanOutSelector,
  type FanOutTarget,
} from './core/fan-out';

// ----------------------------------------------------------------------------------- projection runtime
// Runs compiled projections against an EventLog into the view stores' targets; the admin operations
// (status, pause, resume, rebuild, parked events) and read-your-writes (`waitForCheckpoint`).
export { ProjectionRuntime, type ProjectionRuntimeOptions } from './runtime/projection-runtime';
export type { SharedLogReaderOptions, SharedReaderStats } from './runtime/shared-log/shared-log-reader';
export type { RebuildOutcome, Recompile, RunnableProjection } from './runtime/projection-supervisor';
export type { ParkedResolution } from './runtime/projection-runner';
export { InProcessOperationLock, type ProjectionOperationLock } from './runtime/operation-lock';
export { DEFAULT_RUNNER_OPTIONS, type RunnerOptions } from './runtime/runtime.options';
export type { BackoffOptions } from './runtime/backoff';
export { consoleLogger, silentLogger, type LogFields, type RuntimeLogger } from './runtime/runtime.logger';
export type { CommittedBatch, LeaseChange, RuntimeObserver, StoreFailure } from './runtime/runtime.observer';
export {
  PROJECTION_STATES,
  type GenerationStatus as ProjectionGenerationStatus,
  type ProjectionOwner,
  type SegmentStatus,
  type ProjectionState,
  type ProjectionStatus,
  type RunnerError,
  type RunnerState,
  type StoreRole,
  type StoreStall,
} from './runtime/projection-status';
export {
  CheckpointTimeoutError,
  DuplicateProjectionError,
  GenerationGoneError,
  NoTargetForKindError,
  ParkedEventNotFoundError,
  ProjectionNotOwnedError,
  RunnerNotRunningError,
  SubscriptionEndedError,
  UnknownProjectionError,
} from './runtime/runtime.errors';
// Several Prism nodes (issue #15): the lease keeper a runtime runs its projections under.
export type {
  AdminAction,
  AdminRequestDraft,
  AdminRequestRecord,
  AdminRequestStatus,
  CoordinationStore,
  Lease,
  LeaseRecord,
  NodeAnnouncement,
  NodeRecord,
  PrismRole,
} from './coordination/coordination.port';
export {
  OwnershipCoordinator,
  type OwnershipCoordinatorOptions,
  type OwnershipNode,
} from './coordination/ownership/ownership-coordinator';
export {
  DEFAULT_LEASE_TTL_MS,
  InvalidOwnershipSettingsError,
  type OwnershipSettings,
} from './coordination/ownership/ownership.settings';
export type {
  Acquisition,
  HeldLease,
  LeaseOwner,
  LeaseWork,
  OwnershipSnapshot,
} from './coordination/ownership/lease-work';

// ------------------------------------------------------------------------------------------ view stores
// The store-module seam: one module per view store (its DSL section, connection, target, query API,
// checks), found by kind in the registry (`storeModule('relational')`). A host may register its own.
export {
  findStoreModule,
  registerStoreModule,
  storeKinds,
  storeModule,
  storeModules,
  UnknownStoreKindError,
} from './stores/registry';
export type { StoreModule } from './stores/store-module';
export type { StoreCapabilities } from './stores/store-capabilities';
export {
  viewStoreName,
  type OpenedStore,
  type StoreConfiguration,
  type StoreConnection,
  type StoreEnvironment,
  type StoreOpenContext,
  type StoreQueryApi,
  type StoreQueryHost,
  type StoreQueryHostProvider,
} from './stores/store-connection';
// A store's query API describes its views in the OpenAPI document (issue #20).
export {
  componentName,
  namedQueryParameters,
  type DescribeView,
  type ViewOpenApi,
  type ViewOperationDoc,
} from './query/view-openapi';
export type { ConfigProblem, EnvVariable, EnvVariables, RawEnv } from './config/env-variable';
export type { EntryFields, FieldComparison, ShapeOutline, StoreChecks } from './stores/store-checks';
export type {
  DocumentView,
  GraphNodeView,
  GraphRelationshipView,
  GraphView,
  NamedQueryCheck,
  SalvagedSection,
  SectionLimits,
  StoreDsl,
  StoreQueryLanguage,
  TargetSection,
  TargetView,
} from './stores/store-dsl';
// The Target port: what a store module's target implements (test/contract/target.contract.ts).
export type {
  ActivateOptions,
  ActivateResult,
  CheckpointRange,
  CommitBatch,
  CommitResult,
  Generation,
  GenerationRecord,
  GenerationSpec,
  GenerationStatus,
  LoadedDocument,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ScannedDocument,
  ScanOptions,
  Target,
  ViewRef,
} from './stores/target.port';
export {
  ActiveGenerationDropError,
  UnknownGenerationError,
  UnsupportedShapeError,
} from './stores/target.errors';

// ---------------------------------------------------------------------------------------------- testing
// For a host's own tests: run `*.test.yaml` data tests (given events, expected view) as `prism test` does,
// e.g. one Jest test per case; compile a YAML text held in memory.
export {
  collectProjectionTests,
  givenEvents,
  parseProjectionTestFile,
  runProjectionTestCase,
  type ParsedProjectionTestFile,
  type ProjectionTestCaseResult,
  type ProjectionTestFileRun,
} from './dsl/testing/projection-test.runner';
export type {
  ExpectedView,
  GivenEvent,
  ProjectionTestCase,
  ProjectionTestFile,
} from './dsl/testing/projection-test.schema';
export { compileYamlDefinition } from './dsl/testing/compile-yaml';

// ------------------------------------------------------------------------------------------ aggregates
// `defineAggregate`: an aggregate in one file → REST routes, validation, errors, OpenAPI (src/aggregates).
export {
  AggregateDefinitionError,
  AlreadyExistsError,
  aggregateId,
  decideCommand,
  defineAggregate,
  DomainError,
  DomainRuleError,
  NotFoundError,
  PrismAggregatesModule,
  UnknownEventTypeError,
} from './aggregates';
export type {
  Aggregate,
  AggregateCommand,
  AggregateSpec,
  CommandSpec,
  DecideCommandOptions,
  DecideContext,
  Decided,
  Decider,
  DomainErrorKind,
  DomainEvent,
  ErrorCodeSpec,
  EventOf,
  AggregateEvent,
  EventSpec,
  EventSpecs,
  EventUpcastFunction,
  HttpMethod,
  Loaded,
  NewEventOf,
  PayloadOf,
} from './aggregates';

// ------------------------------------------------------------------------------------------- Nest module
// Prism in a team's own Nest app (src/nest/README.md): `PrismModule.forRoot({ eventStore, viewStores,
// projections })` or `forRootAsync({ imports, inject, useFactory })`; the query, admin, metrics and health
// APIs as modules the app may mount itself, under its own prefixes and guards.
export { PrismModule, type PrismAsyncOptions } from './nest/prism.module';
export type {
  PrismAuthOptions,
  PrismHttpOptions,
  PrismMountOptions,
  PrismNodeOptions,
  PrismOptions,
  PrismProjectionOptions,
  ProjectionDefinitionInput,
} from './nest/prism-options';
export type { CoordinationSettings, SharedPgPool } from './coordination/coordination-store.factory';
export { PrismQueryModule } from './nest/prism-query.module';
export { PrismAdminModule } from './nest/prism-admin.module';
export { PrismMetricsModule } from './nest/prism-metrics.module';
export { PrismHealthModule } from './nest/prism-health.module';
export { PrismOptionsError, type OptionProblem as PrismOptionProblem } from './nest/resolve-options';
export type { EventStoreSettings } from './eventstore/event-store.settings';
export type { SqlTableLogSettings } from './eventstore/sql-log/sql-log.settings';
export type {
  ElasticsearchOptions,
  Neo4jOptions,
  RelationalOptions,
  ViewStoreOptions,
} from './stores/view-store-options';
export type { PgPool, PgPoolClient } from './stores/relational/borrowed-pg-pool';
export type { ElasticsearchConnection } from './stores/elasticsearch/elasticsearch-connection';
export type { Neo4jConnection } from './stores/neo4j/neo4j-connection';
export type { StoreOptionProblem, StoreOptionsResult } from './stores/store-options';
export type { ApiKey, QueryAuthMode } from './auth/api-keys';
export type { Role } from './auth/roles';
export type { TracingSettings } from './observability/tracing/tracing-settings';
// The environment loader, one optional factory: `forRootAsync({ useFactory: () => prismOptionsFromEnv() })`.
export { prismOptionsFromEnv } from './nest/prism-options-from-env';
export { ConfigValidationError } from './config/app-config';
