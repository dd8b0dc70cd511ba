/** Stops only the stores that the global setup started; stores somebody else runs stay up. */
import { JAVA_STORES, stop } from './java-store';

export default async function globalTeardown(): Promise<void> {
  for (const store of globalThis.__PRISM_STARTED_STORES__ ?? []) {
    if (store === 'elasticsearch' || store === 'neo4j') await stop(JAVA_STORES[store]);
  }
}
