/**
 * Appends the reference workload (bench/workload.ts, ../shared/BENCHMARK-WORKLOAD.md) to an event store,
 * whole orders one append each, from `lanes` concurrent appenders (as many writers would): the step every
 * benchmark that builds from the log starts with.
 */
import type { EventStore, EventToAppend } from '../src/eventstore/event-store.port';
import { sequential } from './workload';

/** @returns how many events were appended. */
export async function appendWorkload(
  store: Pick<EventStore, 'append'>,
  orders: number,
  seed: number,
  lanes = 8,
): Promise<number> {
  const source = sequential(orders, seed) as Iterator<{ streamId: string; events: EventToAppend[] }>;
  let written = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let next = source.next(); next.done !== true; next = source.next()) {
        await store.append(next.value.streamId, next.value.events, 'any');
        written += next.value.events.length;
      }
    }),
  );
  return written;
}
