import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CommandOptionsDto } from '../../http/command-options.dto';
import { ID_PATTERN } from '../../http/id.pipe';

export class ListProductDto {
  @ApiPropertyOptional({
    type: String,
    example: 'lamp-1',
    description: 'Chosen by the client, or a UUID is generated.',
  })
  @IsOptional()
  @Matches(ID_PATTERN, { message: '$property must be 1 to 64 letters, digits, _ or -' })
  productId?: string;

  @ApiProperty({ type: String, example: 'Desk lamp', maxLength: 200 })
  @IsString()
  @MaxLength(200)
  title!: string;

  @ApiProperty({ type: String, example: 'A warm LED desk lamp.', maxLength: 5000 })
  @IsString()
  @MaxLength(5000)
  description!: string;

  @ApiProperty({ type: String, example: 'home', maxLength: 100 })
  @IsString()
  @MaxLength(100)
  category!: string;

  @ApiProperty({
    type: 'integer',
    example: 1999,
    description: 'Price in integer cents; must be positive (422 invalid_price).',
  })
  @IsInt()
  price!: number;

  @ApiPropertyOptional({ example: ['light', 'desk'], type: [String], maxItems: 50, default: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  tags?: string[];
}

export class ChangeProductPriceDto extends CommandOptionsDto {
  @ApiProperty({
    type: 'integer',
    example: 2499,
    description: 'New price in integer cents; must be positive and differ.',
  })
  @IsInt()
  price!: number;
}
