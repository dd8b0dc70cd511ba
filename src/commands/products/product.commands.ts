import { Command } from '@nestjs/cqrs';
import type { CommandContext, CommandOutcome } from '../command-context';

export class ListProductCommand extends Command<CommandOutcome> {
  constructor(
    readonly productId: string,
    readonly title: string,
    readonly description: string,
    readonly category: string,
    readonly price: number,
    readonly tags: readonly string[],
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class ChangeProductPriceCommand extends Command<CommandOutcome> {
  constructor(
    readonly productId: string,
    readonly price: number,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class DelistProductCommand extends Command<CommandOutcome> {
  constructor(
    readonly productId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
