import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { customerDecider } from '../../domain/customer/customer.aggregate';
import { orderDecider } from '../../domain/order/order.aggregate';
import { productDecider } from '../../domain/product/product.aggregate';
import type { CommandOutcome } from '../command-context';
import { CommandRunner } from '../command-runner';
import { AddItemCommand, CancelOrderCommand, PlaceOrderCommand, ShipOrderCommand } from './order.commands';

@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ orderId, customerId, context }: PlaceOrderCommand): Promise<CommandOutcome> {
    return this.runner.run(orderDecider, orderId, context, async (state) => {
      const customer = await this.runner.load(customerDecider, customerId);
      return orderDecider.decide(
        { kind: 'PlaceOrder', orderId, customerId, customer: customer.state, placedAt: new Date() },
        state,
      );
    });
  }
}

@CommandHandler(AddItemCommand)
export class AddItemHandler implements ICommandHandler<AddItemCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ orderId, productId, qty, context }: AddItemCommand): Promise<CommandOutcome> {
    return this.runner.run(orderDecider, orderId, context, async (state) => {
      // The product is read, not written: its price at this moment is captured in ItemAdded.
      const product = await this.runner.load(productDecider, productId);
      return orderDecider.decide({ kind: 'AddItem', orderId, productId, qty, product: product.state }, state);
    });
  }
}

@CommandHandler(ShipOrderCommand)
export class ShipOrderHandler implements ICommandHandler<ShipOrderCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ orderId, context }: ShipOrderCommand): Promise<CommandOutcome> {
    return this.runner.run(orderDecider, orderId, context, (state) =>
      orderDecider.decide({ kind: 'ShipOrder', orderId }, state),
    );
  }
}

@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ orderId, context }: CancelOrderCommand): Promise<CommandOutcome> {
    return this.runner.run(orderDecider, orderId, context, (state) =>
      orderDecider.decide({ kind: 'CancelOrder', orderId }, state),
    );
  }
}

export const ORDER_HANDLERS = [PlaceOrderHandler, AddItemHandler, ShipOrderHandler, CancelOrderHandler];
