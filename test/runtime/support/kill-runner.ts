/**
 * The process the crash tests SIGKILL: runs the projection runtime over the PostgreSQL event store into a
 * PostgreSQL, Elasticsearch or Neo4j target until the projection is live at the head with the requested
 * definition, then exits.
 *
 *   PRISM_KILL_URL         database holding the event log (schema `log`; also the PostgreSQL target's)
 *   PRISM_KILL_TARGET      postgres (default), postgres-lookups, elasticsearch or neo4j (fixtures: see
 *                          kill-targets.ts)
 *   PRISM_KILL_TARGET_URL  the Elasticsearch or Neo4j server
 *   PRISM_KILL_SCHEMA      the run's namespace: target schema, index prefix or label namespace
 *   PRISM_KILL_VERSION     1 or 2 (version 2 changes the shape: a rebuild when version 1 is live)
 *   PRISM_KILL_BATCH       batch size (small batches make many commits, so kills land between and inside them)
 *   PRISM_KILL_REPO_ROOT   the repository, for fixtures compiled from YAML files (postgres-lookups)
 *
 * Prints READY once the runtime started and DONE when finished. Started as a bundle (see kill-harness.ts)
 * or with `node --import tsx`.
 */
// The PostgreSQL adapter directly, not the factory: the factory also loads the KurrentDB client, which
// would add most of a second to every one of the many restarts (targets are imported lazily for the
// same reason, see kill-targets.ts).
import { createPostgresEventStore } from '../../../src/eventstore/postgres/postgres-event-store';
import { ProjectionRuntime } from '../../../src/runtime/projection-runtime';
import { logFilterOf } from '../../../src/runtime/source-filter';
import type { RuntimeLogger } from '../../../src/runtime/runtime.logger';
import { killProjection, killTargetKind, openKillTarget } from './kill-targets';

async function main(): Promise<void> {
  const url = required('PRISM_KILL_URL');
  const version = required('PRISM_KILL_VERSION') === '2' ? 2 : 1;
  const store = createPostgresEventStore({ url, schema: 'log', poolSize: 3 });
  await store.initialize();
  const kind = killTargetKind(process.env.PRISM_KILL_TARGET);
  const namespace = required('PRISM_KILL_SCHEMA');
  const target = await openKillTarget(kind, {
    pgUrl: url,
    targetUrl: process.env.PRISM_KILL_TARGET_URL,
    namespace,
  });
  const { plan, definition, recompile } = killProjection(kind, namespace, version);
  const runtime = new ProjectionRuntime({
    store,
    // Keyed by the store the plan names (a kill kind such as postgres-lookups is a fixture, not a store).
    targets: { [plan.target.kind]: target },
    recompile,
    runner: {
      batchSize: Number(required('PRISM_KILL_BATCH')),
      maxBatchLatencyMs: 5,
      headPollMs: 20,
      backoff: { initialMs: 5, maxMs: 100 },
    },
    logger: stderrLogger,
    // SIGKILL through the shared reader too (issue #17): PRISM_TEST_SHARED_READER=on.
    ...(process.env.PRISM_TEST_SHARED_READER === 'on' && { sharedReader: true }),
  });
  await runtime.start([{ plan, definition }]);
  process.stdout.write('READY\n');
  // The head of the events the projection reads: a checkpoint never passes a later event it filters out.
  const head = await store.headPosition(logFilterOf(plan));
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

/** Warnings and errors go to stderr, which the harness prints when a run fails (progress lines do not). */
const stderrLogger: RuntimeLogger = {
  info: () => undefined,
  warn: (message) => process.stderr.write(`warn: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message}\n`),
};

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
