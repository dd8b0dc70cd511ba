import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { customerDecider } from '../../domain/customer/customer.aggregate';
import type { CommandOutcome } from '../command-context';
import { CommandRunner } from '../command-runner';
import {
  FollowCustomerCommand,
  RegisterCustomerCommand,
  RenameCustomerCommand,
  UnfollowCustomerCommand,
} from './customer.commands';

@CommandHandler(RegisterCustomerCommand)
export class RegisterCustomerHandler implements ICommandHandler<RegisterCustomerCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ customerId, name, email, city, context }: RegisterCustomerCommand): Promise<CommandOutcome> {
    return this.runner.run(customerDecider, customerId, context, (state) =>
      customerDecider.decide({ kind: 'RegisterCustomer', customerId, name, email, city }, state),
    );
  }
}

@CommandHandler(RenameCustomerCommand)
export class RenameCustomerHandler implements ICommandHandler<RenameCustomerCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ customerId, name, context }: RenameCustomerCommand): Promise<CommandOutcome> {
    return this.runner.run(customerDecider, customerId, context, (state) =>
      customerDecider.decide({ kind: 'RenameCustomer', customerId, name }, state),
    );
  }
}

@CommandHandler(FollowCustomerCommand)
export class FollowCustomerHandler implements ICommandHandler<FollowCustomerCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ customerId, followedCustomerId, context }: FollowCustomerCommand): Promise<CommandOutcome> {
    return this.runner.run(customerDecider, customerId, context, async (state) => {
      // Only read: the followed customer must exist, but its stream is not written.
      const followed = await this.runner.load(customerDecider, followedCustomerId);
      return customerDecider.decide(
        { kind: 'FollowCustomer', customerId, followedCustomerId, followed: followed.state },
        state,
      );
    });
  }
}

@CommandHandler(UnfollowCustomerCommand)
export class UnfollowCustomerHandler implements ICommandHandler<UnfollowCustomerCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ customerId, followedCustomerId, context }: UnfollowCustomerCommand): Promise<CommandOutcome> {
    return this.runner.run(customerDecider, customerId, context, (state) =>
      customerDecider.decide({ kind: 'UnfollowCustomer', customerId, followedCustomerId }, state),
    );
  }
}

export const CUSTOMER_HANDLERS = [
  RegisterCustomerHandler,
  RenameCustomerHandler,
  FollowCustomerHandler,
  UnfollowCustomerHandler,
];
