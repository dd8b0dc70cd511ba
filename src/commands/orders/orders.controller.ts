import { randomUUID } from 'node:crypto';
import { Controller, Inject, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RequireRole } from '../../auth/require-role.decorator';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext, CommandOutcome } from '../command-context';
import { CommandCtx } from '../../http/command-context.decorator';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { CommandOptionsDto } from '../../http/command-options.dto';
import { IdParam, ValidBody } from '../../http/valid-body.decorator';
import { AddItemCommand, CancelOrderCommand, PlaceOrderCommand, ShipOrderCommand } from './order.commands';
import { AddItemDto, PlaceOrderDto } from './order.dto';

@ApiTags('orders')
@Controller('orders')
@RequireRole('writer')
export class OrdersController {
  constructor(@Inject(CommandBus) private readonly commandBus: CommandBus) {}

  @Post()
  @CommandEndpoint({ summary: 'Place an order', creates: true })
  place(
    @ValidBody(PlaceOrderDto) body: PlaceOrderDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(
      new PlaceOrderCommand(body.orderId ?? randomUUID(), body.customerId, context),
    );
  }

  @Post(':orderId/items')
  @CommandEndpoint({ summary: 'Add an item to an open order' })
  addItem(
    @IdParam('orderId') orderId: string,
    @ValidBody(AddItemDto) body: AddItemDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(new AddItemCommand(orderId, body.productId, body.qty, context));
  }

  @Post(':orderId/ship')
  @CommandEndpoint({ summary: 'Ship an order' })
  ship(
    @IdParam('orderId') orderId: string,
    @ValidBody(CommandOptionsDto) _options: CommandOptionsDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(new ShipOrderCommand(orderId, context));
  }

  @Post(':orderId/cancel')
  @CommandEndpoint({ summary: 'Cancel an order' })
  cancel(
    @IdParam('orderId') orderId: string,
    @ValidBody(CommandOptionsDto) _options: CommandOptionsDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(new CancelOrderCommand(orderId, context));
  }
}
