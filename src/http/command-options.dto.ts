import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Fields every command on an existing aggregate accepts. */
export class CommandOptionsDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    example: 2,
    description:
      'The stream revision the client last saw (the `revision` or ETag of an earlier response). ' +
      'The command is refused with 409 concurrency_conflict if the stream has moved on. Same as If-Match.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  expectedRevision?: number;
}
