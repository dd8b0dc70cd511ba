import { Command } from '@nestjs/cqrs';
import type { CommandContext, CommandOutcome } from '../command-context';

export class PlaceOrderCommand extends Command<CommandOutcome> {
  constructor(
    readonly orderId: string,
    readonly customerId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class AddItemCommand extends Command<CommandOutcome> {
  constructor(
    readonly orderId: string,
    readonly productId: string,
    readonly qty: number,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class ShipOrderCommand extends Command<CommandOutcome> {
  constructor(
    readonly orderId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class CancelOrderCommand extends Command<CommandOutcome> {
  constructor(
    readonly orderId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
