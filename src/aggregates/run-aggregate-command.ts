/**
 * The one command handler of every defined aggregate, behind @nestjs/cqrs's CommandBus: the generated
 * controllers send a RunAggregateCommand; the handler runs the command's `decide` through CommandRunner
 * (load, decide, one append with the loaded revision, Idempotency-Key) and checks what `decide` returned
 * against the aggregate's event schemas before anything is written.
 */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { JsonObject } from '../core/json';
import type { CommandContext, CommandOutcome } from '../commands/command-context';
import { CommandRunner } from '../commands/command-runner';
import { ID_PATTERN } from '../http/id.pipe';
import { InvalidIdError } from '../http/request.errors';
import type { Aggregate, AggregateCommand, DecideContext } from './aggregate.types';
import type { DomainEvent } from './decider';

export class RunAggregateCommand extends Command<CommandOutcome> {
  constructor(
    readonly aggregate: Aggregate,
    readonly command: AggregateCommand,
    /** The aggregate's id (checked against ID_PATTERN by the route). */
    readonly id: string,
    /** The validated payload (path fields included, `expectedRevision` left out). */
    readonly payload: Readonly<Record<string, unknown>>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** `decide` returned something that is not an event of its aggregate: a bug in the aggregate (a 500). */
export class InvalidDecidedEventError extends Error {
  override readonly name = 'InvalidDecidedEventError';
  constructor(aggregate: Aggregate, command: AggregateCommand, problem: string) {
    super(`${aggregate.name}.${command.name} (defined at ${aggregate.definedAt}) decided ${problem}`);
  }
}

@CommandHandler(RunAggregateCommand)
export class RunAggregateCommandHandler implements ICommandHandler<RunAggregateCommand, CommandOutcome> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ aggregate, command, id, payload, context }: RunAggregateCommand): Promise<CommandOutcome> {
    return this.runner.run(aggregate.decider, id, context, async (state) => {
      const ctx: DecideContext = {
        id,
        now: new Date(),
        correlationId: context.correlationId,
        ...(context.userId !== undefined && { userId: context.userId }),
        load: async <State>(other: Aggregate<State>, otherId: string) => {
          // Ids become stream names: one from a payload field is checked like a path id.
          if (typeof otherId !== 'string' || !ID_PATTERN.test(otherId))
            throw new InvalidIdError(`${other.name} id`, String(otherId));
          const { state: otherState, revision } = await this.runner.load(other.decider, otherId);
          return { state: otherState, revision };
        },
      };
      return checkedEvents(aggregate, command, await command.decide(payload, state, ctx));
    });
  }
}

/** The events as they will be written: known types, data parsed by each type's schema. */
export function checkedEvents(
  aggregate: Aggregate,
  command: AggregateCommand,
  decided: unknown,
): DomainEvent[] {
  const list: unknown[] = Array.isArray(decided) ? decided : [decided];
  return list.map((event, index) => {
    const { type, data } = (event ?? {}) as { type?: unknown; data?: unknown };
    const spec = typeof type === 'string' ? aggregate.events.get(type) : undefined;
    if (spec === undefined) {
      throw new InvalidDecidedEventError(
        aggregate,
        command,
        `event #${index + 1} of unknown type ${JSON.stringify(type)}; declare it in \`events\``,
      );
    }
    const parsed = spec.data.safeParse(data);
    if (!parsed.success) {
      const where = parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`)
        .join('; ');
      throw new InvalidDecidedEventError(
        aggregate,
        command,
        `a ${String(type)} whose data does not match its schema (${where})`,
      );
    }
    return { type: type as string, data: parsed.data as JsonObject };
  });
}
