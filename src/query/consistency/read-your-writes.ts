/**
 * What every query controller calls first: take the read-your-writes token off the request and wait for
 * it. The rest of the query parameters go on to the query API.
 *
 *   const { parameters, progress } = await admitRead(this.gate, name, query, header);
 */
import { ConsistencyTokenError } from './consistency.errors';
import type { ConsistencyGate, ReadProgress } from './consistency.gate';
import { DEFAULT_READ_WAIT_MS, takeConsistencyToken } from './consistency-token';

export interface AdmittedRead {
  readonly parameters: Record<string, unknown>;
  /** Set when the request carried a token: what the view had applied when it was let through. */
  readonly progress: ReadProgress | undefined;
}

export async function admitRead(
  gate: ConsistencyGate | undefined,
  view: string,
  query: Readonly<Record<string, unknown>>,
  header: string | undefined,
): Promise<AdmittedRead> {
  const { token, parameters } = takeConsistencyToken(query, header, gate?.maxWaitMs ?? DEFAULT_READ_WAIT_MS);
  if (token === undefined) return { parameters, progress: undefined };
  // An API mounted without the projection runtime (a test module) cannot honour a token: never ignore one.
  if (gate === undefined)
    throw new ConsistencyTokenError('after', 'read-your-writes is not available on this server');
  return { parameters, progress: await gate.wait(view, token) };
}
