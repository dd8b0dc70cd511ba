import { Command } from '@nestjs/cqrs';
import type { CommandContext, CommandOutcome } from '../command-context';

export class RegisterCustomerCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly name: string,
    readonly email: string,
    readonly city: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class RenameCustomerCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly name: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class FollowCustomerCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly followedCustomerId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class UnfollowCustomerCommand extends Command<CommandOutcome> {
  constructor(
    readonly customerId: string,
    readonly followedCustomerId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
