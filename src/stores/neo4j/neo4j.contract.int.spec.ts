/** The Target contract on Neo4j: a graph view, so the shared and the graph cases run. */
import neo4j, { type Driver } from 'neo4j-driver';
import { CONTRACT_GRAPH_SHAPE, targetContract } from '../../../test/contract/target.contract';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import { bookkeepingDropStatements, bookkeepingLabels } from './neo4j-bookkeeping';
import { neo4jStore } from './neo4j.store';
import { Neo4jTarget } from './neo4j.target';

describeWithStores(['neo4j'], 'Neo4j target contract', (urls) => {
  const run = uniqueTestName('contract');
  const bookkeepingPrefix = `PrismC${run.replace(/[^A-Za-z0-9]/g, '')}`;
  let driver: Driver;
  beforeAll(() => {
    driver = neo4j.driver(urls.neo4j);
  });
  afterAll(async () => {
    // Every label and constraint of the run's projections carries the run's name (neo4j-names.ts).
    await driver.executeQuery(
      'MATCH (n) WHERE any(label IN labels(n) WHERE label CONTAINS $run) DETACH DELETE n',
      { run },
    );
    const constraints = await driver.executeQuery(
      'SHOW CONSTRAINTS YIELD name WHERE name CONTAINS $run RETURN name',
      { run },
    );
    for (const record of constraints.records)
      await driver.executeQuery(`DROP CONSTRAINT \`${String(record.get('name'))}\` IF EXISTS`);
    for (const statement of bookkeepingDropStatements(bookkeepingLabels(bookkeepingPrefix)))
      await driver.executeQuery(statement);
    await driver.close();
  });

  targetContract({
    name: 'Neo4j',
    store: neo4jStore,
    shape: CONTRACT_GRAPH_SHAPE,
    projectionPrefix: run,
    create: () => Neo4jTarget.connect({ url: urls.neo4j, bookkeepingPrefix }),
  });
});
