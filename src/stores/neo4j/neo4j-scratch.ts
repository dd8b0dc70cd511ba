/**
 * `prism test --stores` on Neo4j (../store-scratch.ts). Community edition has one user database, so the
 * namespace is the view name: the runner builds the test's view under a unique projection name, whose
 * labels and relationship types (`Customer__<view>_g1`) nothing else uses. Named queries run through the
 * graph query API's own service (read-only session, labels bound to the generation); `drop` removes the
 * view's every generation and registry entry.
 */
import type { ScratchStore, StoreScratch } from '../store-scratch';
import { createNeo4jDriver, type Neo4jConnection } from './neo4j-connection';
import type { Neo4jSettings } from './neo4j.connection';
import { Neo4jTarget } from './neo4j.target';
import { GraphQueryService } from './query/graph-query.service';

export const neo4jScratch: StoreScratch<Neo4jSettings> = {
  async open(settings) {
    const given = 'driver' in settings ? settings.driver : undefined;
    const driver = given ?? createNeo4jDriver(settings as Neo4jConnection);
    const target = new Neo4jTarget(driver, {}, false);
    try {
      await target.initialize();
    } catch (error) {
      if (given === undefined) await driver.close();
      throw error;
    }
    const scratch: ScratchStore = {
      target,
      async query(projection, view, query, parameters) {
        const service = new GraphQueryService(driver, {
          get: (name) => (name === view ? { projection: view, queries: projection.queries } : undefined),
        });
        const result = await service.run(view, query, parameters);
        return { rows: result.rows };
      },
      async drop(view) {
        await target.dropProjection(view, { dryRun: false });
      },
      close: () => (given === undefined ? driver.close() : Promise.resolve()),
    };
    return scratch;
  },
};
