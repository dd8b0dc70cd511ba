/** Response bodies of the command API, declared for OpenAPI. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CommandAcceptedDto {
  @ApiProperty({
    type: String,
    description: 'Id of the aggregate written (the generated one when the request had none).',
  })
  id!: string;

  @ApiProperty({ type: String, example: 'order-7f9c', description: 'Stream the events were appended to.' })
  streamId!: string;

  @ApiProperty({
    type: 'integer',
    example: 3,
    description: "Revision of the stream's last event; send it back as If-Match.",
  })
  revision!: number;

  @ApiProperty({
    type: String,
    example: '1042',
    description:
      'Global log position of the last appended event (a bigint as a string): a read-your-writes token.',
  })
  position!: string;
}

export class ErrorResponseDto {
  @ApiProperty({
    type: String,
    example: 'order_already_shipped',
    description: 'Stable snake_case error code.',
  })
  error!: string;

  @ApiProperty({ type: String, description: 'What happened and how to fix it.' })
  message!: string;
}

export class ValidationErrorResponseDto extends ErrorResponseDto {
  // Optional: only validation_failed names fields; the other 400s (invalid_id, invalid_if_match, ...) do
  // not, and a required `fields` made their answers invalid against the document (issue #20).
  @ApiPropertyOptional({
    example: { price: ['price must be an integer number'] },
    description: 'With validation_failed: messages per invalid field (dotted paths for nested fields).',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  })
  fields?: Record<string, string[]>;
}

export class ConflictResponseDto extends ErrorResponseDto {
  @ApiPropertyOptional({ type: String, example: 'order-7f9c' })
  streamId?: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 2,
    description: 'The revision the command expected; -1 means "no stream yet".',
  })
  expectedRevision?: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 3,
    description: "The stream's actual revision; -1 means the stream does not exist.",
  })
  actualRevision?: number;
}
