import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { InvalidIdError } from './request.errors';

/** Aggregate ids become part of stream names, so they are kept to a safe alphabet. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!ID_PATTERN.test(value)) throw new InvalidIdError(metadata.data ?? 'id', value);
    return value;
  }
}
