import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches } from 'class-validator';
import { CommandOptionsDto } from '../../http/command-options.dto';
import { ID_PATTERN } from '../../http/id.pipe';

const ID_MESSAGE = '$property must be 1 to 64 letters, digits, _ or -';

export class PlaceOrderDto {
  @ApiPropertyOptional({
    type: String,
    example: 'o-1001',
    description: 'Chosen by the client, or a UUID is generated.',
  })
  @IsOptional()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  orderId?: string;

  @ApiProperty({
    type: String,
    example: 'ada',
    description: 'A registered customer (404 customer_not_found otherwise).',
  })
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  customerId!: string;
}

export class AddItemDto extends CommandOptionsDto {
  @ApiProperty({
    type: String,
    example: 'lamp-1',
    description: 'A listed product; its current price is captured.',
  })
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  productId!: string;

  @ApiProperty({
    type: 'integer',
    example: 2,
    description: 'Whole number from 1 to 1000 (422 invalid_quantity otherwise).',
  })
  @IsInt()
  qty!: number;
}
