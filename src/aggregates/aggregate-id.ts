import { z } from 'zod';
import { ID_PATTERN } from '../http/id.pipe';

/**
 * The schema of an aggregate id in a payload (`productId: aggregateId()`): 1 to 64 letters, digits, _ or
 * -, the alphabet path ids are held to, since ids become part of stream names (`product-<id>`).
 */
export function aggregateId() {
  return z.string().regex(ID_PATTERN, 'must be 1 to 64 letters, digits, _ or -');
}
