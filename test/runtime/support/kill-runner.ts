/**
 * The process the crash tests SIGKILL: runs the projection runtime over the PostgreSQL event store into a
 * PostgreSQL target until the projection is live at the head with the requested definition, then exits.
 *
 *   PRISM_KILL_URL       database holding the event log (schema `log`) and the target schema
 *   PRISM_KILL_SCHEMA    target schema for the views
 *   PRISM_KILL_VERSION   1 or 2 (version 2 changes the shape: a rebuild when version 1 is live)
 *   PRISM_KILL_BATCH     batch size (small batches make many commits, so kills land between and inside them)
 *
 * Prints READY once the runtime started and DONE when finished. Started as a bundle (see kill-harness.ts)
 * or with `node --import tsx`.
 */
// The PostgreSQL adapter directly, not the factory: the factory also loads the KurrentDB client, which
// would add most of a second to every one of the many restarts.
import { createPostgresEventStore } from '../../../src/eventstore/postgres/postgres-event-store';
import { ProjectionRuntime } from '../../../src/runtime/projection-runtime';
import { silentLogger } from '../../../src/runtime/runtime.logger';
import { RelationalTarget } from '../../../src/targets/relational/relational.target';
import {
  orderSummaryDefinition,
  orderSummaryPlan,
  recompileOrderSummary,
} from '../fixtures/order-summary.fixture';

async function main(): Promise<void> {
  const url = required('PRISM_KILL_URL');
  const version = required('PRISM_KILL_VERSION') === '2' ? 2 : 1;
  const store = createPostgresEventStore({ url, schema: 'log', poolSize: 3 });
  await store.initialize();
  const target = await RelationalTarget.connect({
    kind: 'postgres',
    url,
    schema: required('PRISM_KILL_SCHEMA'),
    poolSize: 3,
  });
  const plan = orderSummaryPlan({ version });
  const runtime = new ProjectionRuntime({
    store,
    targets: { postgres: target },
    recompile: recompileOrderSummary,
    runner: {
      batchSize: Number(required('PRISM_KILL_BATCH')),
      maxBatchLatencyMs: 5,
      headPollMs: 20,
      backoff: { initialMs: 5, maxMs: 100 },
    },
    logger: silentLogger,
  });
  await runtime.start([{ plan, definition: orderSummaryDefinition({ version }) }]);
  process.stdout.write('READY\n');
  const head = await store.headPosition();
  // Done: the definition we run is the live one, at the head, and no rebuild is pending.
  for (;;) {
    const status = runtime.status(plan.name);
    if (status.state === 'failed')
      throw new Error(
        `projection failed: ${JSON.stringify(status.notes)} ${status.live?.lastError?.message}`,
      );
    if (
      status.live?.fingerprint === plan.fingerprint &&
      status.rebuild === null &&
      status.live.checkpoint >= head
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Wait for the swap's drop to finish too, so "done" means nothing is left half-way.
  await runtime.stop();
  await Promise.all([target.close(), store.close()]);
  process.stdout.write('DONE\n');
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
