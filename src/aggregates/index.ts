/** Declaring an aggregate in one file and mounting its REST routes (see ./README.md). */
export { defineAggregate } from './define-aggregate';
export { aggregateId } from './aggregate-id';
export { decideCommand, type DecideCommandOptions } from './decide-command';
export { AlreadyExistsError, DomainError, DomainRuleError, NotFoundError } from './domain-errors';
export type { DomainErrorKind } from './domain-errors';
export { AggregateDefinitionError } from './definition-checks';
export { UnknownEventTypeError } from './decider';
export type { Decider, DomainEvent } from './decider';
export { PrismAggregatesModule } from './aggregates.module';
export type {
  Aggregate,
  AggregateCommand,
  AggregateSpec,
  CommandSpec,
  DecideContext,
  Decided,
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
} from './aggregate.types';
