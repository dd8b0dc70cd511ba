import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { HttpResponse } from './http.types';
import { map, type Observable } from 'rxjs';
import type { CommandOutcome } from '../commands/command-context';
import type { CommandAcceptedDto } from './command-response.dto';

export const POSITION_HEADER = 'X-Prism-Position';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * Turns a CommandOutcome into the response body and headers. The position travels as a string because it
 * is a bigint; later issues accept it back as a read-your-writes token. The ETag is the stream revision,
 * ready to send back as If-Match.
 */
@Injectable()
export class CommandResponseInterceptor implements NestInterceptor<CommandOutcome, CommandAcceptedDto> {
  intercept(context: ExecutionContext, next: CallHandler<CommandOutcome>): Observable<CommandAcceptedDto> {
    const response = context.switchToHttp().getResponse<HttpResponse>();
    return next.handle().pipe(
      map(({ id, result, replayed }) => {
        const position = result.position.toString();
        response.setHeader(POSITION_HEADER, position);
        response.setHeader('ETag', `"${result.revision}"`);
        if (replayed) response.setHeader(REPLAYED_HEADER, 'true');
        return { id, streamId: result.streamId, revision: result.revision, position };
      }),
    );
  }
}
