import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CommandOptionsDto } from '../../http/command-options.dto';
import { ID_PATTERN } from '../../http/id.pipe';

const ID_MESSAGE = '$property must be 1 to 64 letters, digits, _ or -';

export class RegisterCustomerDto {
  @ApiPropertyOptional({
    type: String,
    example: 'ada',
    description: 'Chosen by the client, or a UUID is generated.',
  })
  @IsOptional()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  customerId?: string;

  @ApiProperty({ type: String, example: 'Ada Lovelace', maxLength: 200 })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: String, example: 'ada@example.com' })
  @IsEmail()
  email!: string;

  @ApiProperty({ type: String, example: 'London', maxLength: 100 })
  @IsString()
  @MaxLength(100)
  city!: string;
}

export class RenameCustomerDto extends CommandOptionsDto {
  @ApiProperty({ type: String, example: 'Ada King', maxLength: 200 })
  @IsString()
  @MaxLength(200)
  name!: string;
}

export class FollowCustomerDto extends CommandOptionsDto {
  @ApiProperty({ type: String, example: 'grace' })
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  followedCustomerId!: string;
}
