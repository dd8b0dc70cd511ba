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
import {
  FollowCustomerCommand,
  RegisterCustomerCommand,
  RenameCustomerCommand,
  UnfollowCustomerCommand,
} from './customer.commands';
import { FollowCustomerDto, RegisterCustomerDto, RenameCustomerDto } from './customer.dto';

@ApiTags('customers')
@Controller('customers')
@RequireRole('writer')
export class CustomersController {
  constructor(@Inject(CommandBus) private readonly commandBus: CommandBus) {}

  @Post()
  @CommandEndpoint({ summary: 'Register a customer', creates: true })
  register(
    @ValidBody(RegisterCustomerDto) body: RegisterCustomerDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(
      new RegisterCustomerCommand(body.customerId ?? randomUUID(), body.name, body.email, body.city, context),
    );
  }

  @Post(':customerId/rename')
  @CommandEndpoint({ summary: 'Rename a customer' })
  rename(
    @IdParam('customerId') customerId: string,
    @ValidBody(RenameCustomerDto) body: RenameCustomerDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(new RenameCustomerCommand(customerId, body.name, context));
  }

  @Post(':customerId/follow')
  @CommandEndpoint({ summary: 'Follow another customer' })
  follow(
    @IdParam('customerId') customerId: string,
    @ValidBody(FollowCustomerDto) body: FollowCustomerDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(new FollowCustomerCommand(customerId, body.followedCustomerId, context));
  }

  @Delete(':customerId/follow/:followedCustomerId')
  @CommandEndpoint({ summary: 'Stop following a customer' })
  unfollow(
    @IdParam('customerId') customerId: string,
    @IdParam('followedCustomerId') followedCustomerId: string,
    @ValidBody(CommandOptionsDto) _options: CommandOptionsDto,
    @CommandCtx() context: CommandContext,
  ): Promise<CommandOutcome> {
    return this.commandBus.execute(new UnfollowCustomerCommand(customerId, followedCustomerId, context));
  }
}
