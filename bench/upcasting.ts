/**
 * What upcasting costs per event (issue #16): the payments projection of test/fixtures/event-catalog folds
 * N events through its compiled plan, once with every event at v2 (no upcast needed) and once with every
 * event at v1 (rename, default and a CEL derive each). Fresh events per run: an event is upcast once.
 *
 *   npx tsx bench/upcasting.ts 200000
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileProjection } from '../src/dsl';
import { checkDefinitionSource } from '../src/dsl/loader/definition.loader';
import type { StoredEvent } from '../src/eventstore/event-store.port';
import { loadEventCatalog } from '../src/events-catalog/build-catalog';

const count = Number(process.argv[2] ?? 200_000);
const fixtures = path.join(__dirname, '..', 'test', 'fixtures', 'event-catalog');
const catalog = loadEventCatalog({ path: path.join(fixtures, 'events.catalog.yaml') });
const check = checkDefinitionSource(
  readFileSync(path.join(fixtures, 'payments.yaml'), 'utf8'),
  'payments.yaml',
  {
    catalog,
  },
);
const plan = compileProjection(check.checked!);

function events(version: 1 | 2): StoredEvent[] {
  return Array.from({ length: count }, (_, i): StoredEvent => ({
    id: `e${i}`,
    streamId: `payment-p${i}`,
    revision: 0,
    position: BigInt(i + 1),
    type: 'PaymentReceived',
    data:
      version === 1
        ? { paymentId: `p${i}`, customerId: `c${i % 100}`, amount: i }
        : {
            paymentId: `p${i}`,
            customerId: `c${i % 100}`,
            amountCents: i,
            currency: 'EUR',
            channel: 'web',
          },
    metadata: { timestamp: '2026-01-01T00:00:00.000Z', schemaVersion: version },
  }));
}

function run(version: 1 | 2): number {
  const batch = events(version);
  const start = process.hrtime.bigint();
  for (const event of batch) {
    plan.keysOf(event);
    plan.apply(event, new Map());
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

run(2); // warm-up
run(1);
const latest = run(2);
const upcast = run(1);
const rate = (ms: number) => Math.round(count / (ms / 1000)).toLocaleString('en-US');
console.log(`events: ${count}`);
console.log(`all at v2 (no upcast)   ${latest.toFixed(0).padStart(6)} ms  ${rate(latest)} events/s`);
console.log(`all at v1 (upcast 1→2)  ${upcast.toFixed(0).padStart(6)} ms  ${rate(upcast)} events/s`);
