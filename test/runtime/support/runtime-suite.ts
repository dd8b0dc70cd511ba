/**
 * `describeOnRuntimeStores`: one runtime suite, run once per store of RUNTIME_STORES (runtime-stores.ts).
 * Each test gets a fresh namespace, target and event log; runtimes it starts are stopped after it.
 */
import type { JsonObject } from '../../../src/core/json';
import type { EventStore } from '../../../src/eventstore/event-store.port';
import { ProjectionRuntime, type ProjectionRuntimeOptions } from '../../../src/runtime/projection-runtime';
import { silentLogger } from '../../../src/runtime/runtime.logger';
import type { Target } from '../../../src/stores/target.port';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../support/stores';
import { openTestLog, TEST_RUNNER } from './runtime-harness';
import { readView, RUNTIME_STORES, type RuntimeFixture, type RuntimeStore } from './runtime-stores';

export interface StartOptions {
  readonly plans?: Parameters<ProjectionRuntime['start']>[0];
  /** Another target in front of the store's (a FaultyTarget). */
  readonly target?: Target;
  readonly log?: EventStore;
  readonly runner?: object;
  readonly recompile?: ProjectionRuntimeOptions['recompile'];
}

export interface RuntimeCase {
  readonly store: RuntimeStore;
  target(): Target;
  log(): EventStore;
  fixture(): RuntimeFixture;
  /** Starts a runtime over the log with the fixture's plan (version 1), unless told otherwise. */
  start(options?: StartOptions): Promise<ProjectionRuntime>;
  stop(runtime: ProjectionRuntime): Promise<void>;
  /** What readers of the fixture's projection see. */
  view(): Promise<Record<string, JsonObject>>;
  head(): Promise<bigint>;
  /**
   * `it` for the cases that test the runtime's own logic (retries, status, ordering): they run on the
   * stores where a test is cheap and are skipped on heavy ones (RuntimeStore.heavy).
   */
  readonly itLight: jest.It;
}

export function describeOnRuntimeStores(
  title: string,
  body: (context: RuntimeCase) => void,
  stores: readonly RuntimeStore[] = RUNTIME_STORES,
): void {
  for (const store of stores) {
    describeWithStores(['postgres', ...store.needs], `${title} on ${store.name}`, (urls) => {
      const database = useTestDatabase(() => urls.postgres);
      let logNumber = 0;
      let namespace = '';
      let target: Target;
      let log: EventStore;
      let fixture: RuntimeFixture;
      const runtimes: ProjectionRuntime[] = [];

      beforeEach(async () => {
        logNumber += 1;
        namespace = uniqueTestName('rt');
        target = await store.open({ ...urls, database: database.url }, namespace);
        fixture = store.fixture(namespace);
        log = await openTestLog(database.url, `log_${logNumber}`);
      });
      afterEach(async () => {
        for (const runtime of runtimes.splice(0)) await runtime.stop();
        await target.close();
        await log.close();
        await store.cleanUp?.(urls, namespace);
      });

      const context: RuntimeCase = {
        store,
        target: () => target,
        log: () => log,
        fixture: () => fixture,
        start: async (options = {}) => {
          const plans = options.plans ?? [fixture.plan()];
          const kinds = new Set(plans.map((plan) => ('plan' in plan ? plan.plan : plan).target.kind));
          const runtime = new ProjectionRuntime({
            store: options.log ?? log,
            targets: Object.fromEntries([...kinds].map((kind) => [kind, options.target ?? target])),
            runner: { ...TEST_RUNNER, ...options.runner },
            logger: silentLogger,
            ...(options.recompile !== undefined && { recompile: options.recompile }),
            // The whole suite runs through the shared reader too (issue #17): PRISM_TEST_SHARED_READER=on.
            ...(process.env.PRISM_TEST_SHARED_READER === 'on' && { sharedReader: true }),
          });
          runtimes.push(runtime);
          await runtime.start(plans);
          return runtime;
        },
        stop: async (runtime) => {
          await runtime.stop();
          runtimes.splice(runtimes.indexOf(runtime), 1);
        },
        view: () => readView(target, fixture.name),
        head: () => log.headPosition(),
        itLight: store.heavy === true ? it.skip : it,
      };
      body(context);
    });
  }
}
