/**
 * Makes sure every store the tests need answers a real request: reuse one that already answers
 * (from `npm run stores:up`, or an external one named by PRISM_*_URL), otherwise launch it locally.
 */
import { build, isBuilt, JAVA_STORES, logTail, runningPid, start } from './java-store';
import { waitUntilReady } from './probes';
import { configuredUrl, STORE_ENDPOINTS, type StoreName } from './store-endpoints';
import { isAlive } from './java-store';

export type StoreOutcome =
  | {
      readonly store: StoreName;
      readonly status: 'ready';
      readonly url: string;
      readonly startedHere: boolean;
      readonly seconds: number;
    }
  | { readonly store: StoreName; readonly status: 'unavailable'; readonly reason: string };

const START_TIMEOUT_MS = 180_000;

export async function ensureStore(store: StoreName, log: (line: string) => void): Promise<StoreOutcome> {
  const began = Date.now();
  const { url, external } = configuredUrl(store);
  const seconds = () => (Date.now() - began) / 1000;
  const alreadyUp = await waitUntilReady(store, url, 1_500);
  if (!alreadyUp) return { store, status: 'ready', url, startedHere: false, seconds: seconds() };

  const endpoint = STORE_ENDPOINTS[store];
  if (external || store === 'postgres') {
    const where = external ? `${endpoint.envVar}=${url}` : url;
    return {
      store,
      status: 'unavailable',
      reason: `${store} does not answer at ${where} (${alreadyUp.message}); ${endpoint.howToProvide}`,
    };
  }

  const spec = JAVA_STORES[store];
  if (runningPid(spec) !== undefined) {
    // A launcher of ours is still starting (e.g. a parallel `stores:up`): give it time instead of racing it.
    const error = await waitUntilReady(store, url, START_TIMEOUT_MS);
    if (!error) return { store, status: 'ready', url, startedHere: false, seconds: seconds() };
  }
  try {
    if (!isBuilt(spec)) {
      log(`building the ${store} launcher with Maven (first run downloads the jars)...`);
      build(spec);
    }
    const pid = start(spec);
    log(`starting ${store} (pid ${pid}) on ${url}...`);
    const error = await waitUntilReady(store, url, START_TIMEOUT_MS, () => isAlive(pid));
    if (error) {
      return {
        store,
        status: 'unavailable',
        reason: `${error.message}\n--- last lines of ${store}'s log ---\n${logTail(spec)}`,
      };
    }
    return { store, status: 'ready', url, startedHere: true, seconds: seconds() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      store,
      status: 'unavailable',
      reason: `${store} could not be started: ${message}\n${logTail(spec)}`,
    };
  }
}

export async function ensureStores(
  stores: readonly StoreName[],
  log: (line: string) => void,
): Promise<StoreOutcome[]> {
  return Promise.all(stores.map((store) => ensureStore(store, log)));
}

export const ALL_STORES: readonly StoreName[] = ['postgres', 'elasticsearch', 'neo4j'];
