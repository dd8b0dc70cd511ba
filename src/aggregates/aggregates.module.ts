/**
 * Mounts defined aggregates in a Nest app: one controller per aggregate, built from its definition.
 *
 *   PrismAggregatesModule.forRoot([cart, product])   the app's aggregates, plus what every aggregate route
 *                                                     needs (CommandsModule: CommandRunner, Idempotency-Key
 *                                                     store, the command handler), global
 *   PrismAggregatesModule.forFeature([invoice])      more aggregates, from a host's feature module
 *
 * Both need PrismModule in the app (src/nest: the event store, the config, CqrsModule), which calls forRoot
 * with its `aggregates` option. The routes get Prism's request checks and error format (src/nest/prism-http.ts),
 * in a host's app too, where they apply to Prism's routes only.
 */
import {
  type DynamicModule,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type Type,
} from '@nestjs/common';
import { ModuleRef, ModulesContainer } from '@nestjs/core';
import { CommandsModule } from '../commands/commands.module';
import { registerDomainErrorCodes } from '../http/error-catalog';
import { prismRequestChecks, shutdownGateOf, withPrismErrorFormat } from '../nest/prism-http';
import { KNOWN_EVENT_TYPES } from '../projection-host/projection-catalog';
import type { Aggregate } from './aggregate.types';
import { controllerOf } from './aggregate-controller.factory';

/** The controllers one PrismAggregatesModule instance mounts, for its request checks. */
const AGGREGATE_CONTROLLERS = Symbol('AGGREGATE_CONTROLLERS');

/**
 * The aggregates one PrismAggregatesModule instance mounts (forRoot's and each forFeature's). PrismModule
 * gathers them from every module of the app into the event catalog (aggregatesInApp), so a feature
 * module's events are typed, upcast and checked on append like the root ones (issue #16).
 */
export const MOUNTED_AGGREGATES = Symbol('PRISM_MOUNTED_AGGREGATES');

/** Mounts defined aggregates' command routes (see the file comment). */
@Module({})
export class PrismAggregatesModule implements NestModule {
  constructor(
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(AGGREGATE_CONTROLLERS) private readonly controllers: readonly Type[],
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    if (this.controllers.length > 0)
      consumer.apply(prismRequestChecks(shutdownGateOf(this.moduleRef))).forRoutes(...this.controllers);
  }

  /** The app's aggregates, plus the write side's shared pieces (global). */
  static forRoot(aggregates: readonly Aggregate[] = []): DynamicModule {
    const feature = PrismAggregatesModule.forFeature(aggregates);
    return {
      ...feature,
      global: true,
      imports: [CommandsModule],
      providers: [
        ...(feature.providers ?? []),
        // The projection host warns about a definition reading an event type none of these writes.
        { provide: KNOWN_EVENT_TYPES, useValue: eventTypesOf(aggregates) },
      ],
      exports: [KNOWN_EVENT_TYPES],
    };
  }

  /** More aggregates' routes, from a feature module; needs forRoot (or CommandsModule) in the app. */
  static forFeature(aggregates: readonly Aggregate[]): DynamicModule {
    checkDistinct(aggregates);
    registerDomainErrorCodes(
      aggregates.flatMap((aggregate) =>
        Object.entries(aggregate.errors).map(([code, { status, meaning }]) => ({ code, status, meaning })),
      ),
    );
    const controllers = withPrismErrorFormat(aggregates.map(controllerOf));
    return {
      module: PrismAggregatesModule,
      controllers,
      providers: [
        { provide: AGGREGATE_CONTROLLERS, useValue: controllers },
        { provide: MOUNTED_AGGREGATES, useValue: aggregates },
      ],
    };
  }
}

/**
 * Every aggregate the app's modules mount (forRoot's and every forFeature's), each once, the given ones
 * first. Read from the module graph, which Nest has fully scanned before any provider's factory runs.
 */
export function aggregatesInApp(modules: ModulesContainer, given: readonly Aggregate[]): Aggregate[] {
  const found = new Set<Aggregate>(given);
  for (const module of modules.values()) {
    const mounted = module.providers.get(MOUNTED_AGGREGATES)?.instance as readonly Aggregate[] | undefined;
    for (const aggregate of mounted ?? []) found.add(aggregate);
  }
  return [...found];
}

/** Every event type the aggregates write. */
export function eventTypesOf(aggregates: readonly Aggregate[]): ReadonlySet<string> {
  return new Set(aggregates.flatMap((aggregate) => [...aggregate.decider.eventTypes]));
}

/** Two aggregates may not share a stream prefix, a route collection or an OpenAPI body name. */
function checkDistinct(aggregates: readonly Aggregate[]): void {
  const owners = new Map<string, Aggregate>();
  const claim = (key: string, what: string, aggregate: Aggregate) => {
    const other = owners.get(key);
    if (other !== undefined && other !== aggregate) {
      throw new Error(
        `Aggregates "${other.name}" (${other.definedAt}) and "${aggregate.name}" (${aggregate.definedAt}) ` +
          `both use ${what}; rename one of them.`,
      );
    }
    owners.set(key, aggregate);
  };
  for (const aggregate of aggregates) {
    claim(
      `name:${aggregate.name}`,
      `the name "${aggregate.name}" (streams ${aggregate.name}-<id>)`,
      aggregate,
    );
    claim(`path:${aggregate.path}`, `the path /${aggregate.path}`, aggregate);
    for (const command of aggregate.commands) {
      claim(
        `schema:${command.schemaName}`,
        `the OpenAPI body name ${command.schemaName} (set schemaName on a command)`,
        aggregate,
      );
    }
  }
}
