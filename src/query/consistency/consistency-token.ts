/**
 * The read-your-writes token of a query request: `?after=<position>` (or the `X-Prism-After` header), the
 * `position` a command answered with, and how long to wait for it, `?wait=<ms>` (default 5 s, capped by
 * PRISM_READ_WAIT_MAX_MS). Both are taken off the query parameters, so the query APIs never see them:
 * `after` and `wait` are reserved parameter names on every query endpoint.
 */
import { ConsistencyTokenError } from './consistency.errors';

export const AFTER_HEADER = 'x-prism-after';
export const DEFAULT_READ_WAIT_MS = 5_000;

export interface ConsistencyToken {
  /** Global log position the view must have processed. */
  readonly after: bigint;
  /** How long to wait for it before answering 503. */
  readonly waitMs: number;
}

export interface TakenToken {
  readonly token: ConsistencyToken | undefined;
  /** The query parameters without `after` and `wait`. */
  readonly parameters: Record<string, unknown>;
}

export function takeConsistencyToken(
  query: Readonly<Record<string, unknown>>,
  header: string | undefined,
  maxWaitMs: number,
): TakenToken {
  const { after: fromQuery, wait, ...parameters } = query;
  const afterText = oneOf(fromQuery, header);
  if (afterText === undefined) {
    if (wait !== undefined) throw new ConsistencyTokenError('wait', 'only means something with `after`');
    return { token: undefined, parameters };
  }
  if (!/^\d{1,19}$/.test(afterText)) {
    throw new ConsistencyTokenError(
      'after',
      `expected a log position (the \`position\` a command answered with), got "${afterText}"`,
    );
  }
  return { token: { after: BigInt(afterText), waitMs: waitMs(wait, maxWaitMs) }, parameters };
}

function oneOf(fromQuery: unknown, header: string | undefined): string | undefined {
  if (fromQuery !== undefined && typeof fromQuery !== 'string') {
    throw new ConsistencyTokenError('after', 'give it once');
  }
  const fromHeader = header?.trim() === '' ? undefined : header?.trim();
  if (fromQuery !== undefined && fromHeader !== undefined && fromQuery !== fromHeader) {
    throw new ConsistencyTokenError('after', `?after=${fromQuery} and X-Prism-After: ${fromHeader} disagree`);
  }
  return fromQuery ?? fromHeader;
}

function waitMs(wait: unknown, maxWaitMs: number): number {
  if (wait === undefined) return Math.min(DEFAULT_READ_WAIT_MS, maxWaitMs);
  if (typeof wait !== 'string' || !/^\d{1,9}$/.test(wait)) {
    throw new ConsistencyTokenError(
      'wait',
      `expected milliseconds (0 to ${maxWaitMs}), got ${JSON.stringify(wait)}`,
    );
  }
  return Math.min(Number(wait), maxWaitMs);
}
