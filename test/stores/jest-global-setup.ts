/**
 * Jest global setup: gives integration and e2e tests real stores.
 * - A store that already answers (stores:up, or PRISM_*_URL) is reused and left running.
 * - Otherwise it is launched here and stopped in the global teardown.
 * - In CI (CI=true) a store that cannot start fails the whole run with its log tail.
 *   Outside CI, tests that need it are skipped with one plain line naming the store and how to provide it.
 * The outcome reaches the test workers through env vars (workers are forked after this runs).
 */
import type { Config } from 'jest';
import { ALL_STORES, ensureStores, type StoreOutcome } from './stores';
import { STORE_ENDPOINTS, type StoreName } from './store-endpoints';

declare global {
  var __PRISM_STARTED_STORES__: string[] | undefined;
}

function onlyUnitTestsSelected(config: Config): boolean {
  const selected = (config as { selectProjects?: string[] }).selectProjects;
  return Array.isArray(selected) && selected.length > 0 && selected.every((name) => name === 'unit');
}

/** PRISM_TEST_STORES=postgres,neo4j limits which stores are provided (the rest count as unavailable). */
function selectedStores(): StoreName[] {
  const wanted = process.env.PRISM_TEST_STORES?.split(',').map((s) => s.trim());
  return wanted ? ALL_STORES.filter((store) => wanted.includes(store)) : [...ALL_STORES];
}

export default async function globalSetup(globalConfig: Config): Promise<void> {
  if (onlyUnitTestsSelected(globalConfig)) return;
  const log = (line: string) => process.stderr.write(`[stores] ${line}\n`);
  const outcomes: StoreOutcome[] = await ensureStores(selectedStores(), log);
  const unavailable: Record<string, string> = {};
  for (const outcome of outcomes) {
    if (outcome.status === 'ready') {
      process.env[STORE_ENDPOINTS[outcome.store].envVar] = outcome.url;
      log(
        `${outcome.store} ready at ${outcome.url}${outcome.startedHere ? ` (started in ${outcome.seconds.toFixed(1)}s)` : ''}`,
      );
    } else {
      unavailable[outcome.store] = outcome.reason;
    }
  }
  globalThis.__PRISM_STARTED_STORES__ = outcomes.flatMap((o) =>
    o.status === 'ready' && o.startedHere ? [o.store] : [],
  );
  if (Object.keys(unavailable).length > 0) {
    const report = Object.entries(unavailable)
      .map(([store, reason]) => `${store}: ${reason}`)
      .join('\n');
    if (process.env.CI === 'true') {
      throw new Error(
        `A store the tests need did not start (CI=true makes this a failure, not a skip):\n${report}`,
      );
    }
    log(`some stores are unavailable; their tests will be skipped:\n${report}`);
  }
  for (const store of ALL_STORES.filter((s) => !selectedStores().includes(s))) {
    unavailable[store] = `not selected by PRISM_TEST_STORES=${process.env.PRISM_TEST_STORES}`;
  }
  process.env.PRISM_UNAVAILABLE_STORES = JSON.stringify(unavailable);
}
