import { randomUUID } from 'node:crypto';
import { Controller, Delete, Inject, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RequireRole } from '../../auth/require-role.decorator';
import { ApiTags } from '@nestjs/swagger';
import type { CommandContext, CommandOutcome } from '../command-context';
import { CommandCtx } from '../../http/command-context.decorator';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { CommandOptionsDto } from '../../http/command-options.dto';
import { IdParam, ValidBody } from '../../http/valid-body.decorator';
import { ChangeProductPriceCommand, DelistProductCommand, ListProductCommand } from './product.commands';
import { ChangeProductPriceDto, ListProductDto } from './product.dto';

@ApiTags('products')
@Controller('products')
@RequireRole('writer')
export class ProductsController {
  constructor(@Inject(CommandBus) private readonly commandBus: CommandBus) {}

  @Post()
  @CommandEndpoint({ summary: 'List a product', creates: true })
  list(
    @ValidBody(ListProductDto) body: ListProductDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(
      new ListProductCommand(
        body.productId ?? randomUUID(),
        body.title,
        body.description,
        body.category,
        body.price,
        body.tags ?? [],
        context,
      ),
    );
  }

  @Post(':productId/price')
  @CommandEndpoint({ summary: "Change a product's price" })
  changePrice(
    @IdParam('productId') productId: string,
    @ValidBody(ChangeProductPriceDto) body: ChangeProductPriceDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(new ChangeProductPriceCommand(productId, body.price, context));
  }

  @Delete(':productId')
  @CommandEndpoint({ summary: 'Delist a product' })
  delist(
    @IdParam('productId') productId: string,
    @ValidBody(CommandOptionsDto) _options: CommandOptionsDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(new DelistProductCommand(productId, context));
  }
}
