/** Request bodies of the checks API (responses are VerifyReport and PlanReport, already JSON-safe). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class VerifyOptionsDto {
  @ApiPropertyOptional({ type: Number, example: 10, description: 'Differences listed in full (default 10).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  maxDifferences?: number;
}

export class PlanRequestDto {
  @ApiProperty({ type: String, description: 'The definition file as text (YAML).', maxLength: 1_000_000 })
  @IsString()
  @MinLength(1)
  @MaxLength(1_000_000)
  definition!: string;

  @ApiProperty({
    type: String,
    example: 'projections/order-summary.yaml',
    description: 'Reported in errors.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  filename!: string;

  @ApiPropertyOptional({ type: Number, example: 50, description: 'Streams in the sample diff (default 50).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  sampleStreams?: number;

  @ApiPropertyOptional({ type: Number, example: 10, description: 'Differences listed in full (default 10).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  maxDifferences?: number;
}
