import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { productDecider } from '../../domain/product/product.aggregate';
import type { CommandOutcome } from '../command-context';
import { CommandRunner } from '../command-runner';
import { ChangeProductPriceCommand, DelistProductCommand, ListProductCommand } from './product.commands';

@CommandHandler(ListProductCommand)
export class ListProductHandler implements ICommandHandler<ListProductCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute(command: ListProductCommand): Promise<CommandOutcome> {
    const { productId, title, description, category, price, tags, context } = command;
    return this.runner.run(productDecider, productId, context, (state) =>
      productDecider.decide(
        { kind: 'ListProduct', productId, title, description, category, price, tags },
        state,
      ),
    );
  }
}

@CommandHandler(ChangeProductPriceCommand)
export class ChangeProductPriceHandler implements ICommandHandler<ChangeProductPriceCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ productId, price, context }: ChangeProductPriceCommand): Promise<CommandOutcome> {
    return this.runner.run(productDecider, productId, context, (state) =>
      productDecider.decide({ kind: 'ChangeProductPrice', productId, price }, state),
    );
  }
}

@CommandHandler(DelistProductCommand)
export class DelistProductHandler implements ICommandHandler<DelistProductCommand> {
  constructor(@Inject(CommandRunner) private readonly runner: CommandRunner) {}

  execute({ productId, context }: DelistProductCommand): Promise<CommandOutcome> {
    return this.runner.run(productDecider, productId, context, (state) =>
      productDecider.decide({ kind: 'DelistProduct', productId }, state),
    );
  }
}

export const PRODUCT_HANDLERS = [ListProductHandler, ChangeProductPriceHandler, DelistProductHandler];
