/** The success body of the append route, declared for OpenAPI. */
import { ApiProperty } from '@nestjs/swagger';

export class AppendAcceptedDto {
  @ApiProperty({ type: String, example: 'cart-7f9c', description: 'Stream the events were appended to.' })
  streamId!: string;

  @ApiProperty({
    type: 'integer',
    example: 3,
    description: "Revision of the stream's last event; send it back as If-Match or expectedRevision.",
  })
  revision!: number;

  @ApiProperty({
    type: String,
    example: '1042',
    description:
      'Global log position of the last appended event (a bigint as a string): the read-your-writes token ' +
      '(a query with ?after=<position> sees these events).',
  })
  position!: string;
}
