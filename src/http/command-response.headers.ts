/**
 * The headers of a successful write (a command or an append), as OpenAPI response headers. One list for
 * every write route, each with a schema: OpenAPI 3.0 requires one, and without it the document was invalid
 * (issue #20: 44 of its 47 lint errors).
 */
import type { HeadersObject } from '@nestjs/swagger';
import { POSITION_HEADER, REPLAYED_HEADER } from './command-response.interceptor';
import { CORRELATION_ID_HEADER } from './request-context';

export const WRITE_RESPONSE_HEADERS: HeadersObject = {
  [POSITION_HEADER]: {
    description: 'Global position of the last appended event (read-your-writes token).',
    schema: { type: 'string', pattern: '^[0-9]+$', example: '1042' },
  },
  ETag: {
    description: 'The stream revision, quoted; send it back as If-Match.',
    schema: { type: 'string', example: '"3"' },
  },
  [CORRELATION_ID_HEADER]: {
    description: 'The correlation id recorded on the events.',
    schema: { type: 'string' },
  },
  [REPLAYED_HEADER]: {
    description:
      '"true" when this is the stored result of an earlier request with the same key; else absent.',
    schema: { type: 'string', enum: ['true'] },
  },
};
