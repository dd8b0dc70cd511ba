/** Smoke test for the harness: the official driver over Bolt against the real Neo4j. */
import neo4j, { type Driver, Neo4jError } from 'neo4j-driver';
import { describeWithStores, uniqueTestName } from '../support/stores';

describeWithStores(['neo4j'], 'Neo4j smoke test', (urls) => {
  // Community edition has one user database: this test's own labels keep it apart from other tests.
  const suffix = uniqueTestName('Smoke').replace(/[^A-Za-z0-9_]/g, '_');
  const person = `Person_${suffix}`;
  const city = `City_${suffix}`;
  const constraint = `person_id_${suffix}`;
  let driver: Driver;

  beforeAll(() => {
    driver = neo4j.driver(urls.neo4j);
  });
  afterAll(async () => {
    await driver.executeQuery(`DROP CONSTRAINT ${constraint} IF EXISTS`);
    await driver.executeQuery(`MATCH (n) WHERE n:${person} OR n:${city} DETACH DELETE n`);
    await driver.close();
  });

  it('merges 1,000 rows with UNWIND, walks two hops, and enforces a uniqueness constraint', async () => {
    await driver.executeQuery(`CREATE CONSTRAINT ${constraint} FOR (p:${person}) REQUIRE p.id IS UNIQUE`);
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      id: i,
      friend: (i + 1) % 1000,
      city: `c${i % 5}`,
    }));
    await driver.executeQuery(
      `UNWIND $rows AS row
       MERGE (p:${person} {id: row.id})
       MERGE (f:${person} {id: row.friend})
       MERGE (p)-[:KNOWS]->(f)
       MERGE (c:${city} {name: row.city})
       MERGE (p)-[:LIVES_IN]->(c)`,
      { rows },
    );
    const twoHops = await driver.executeQuery(
      `MATCH (p:${person} {id: $id})-[:KNOWS]->(:${person})-[:LIVES_IN]->(c:${city}) RETURN c.name AS city`,
      { id: 7 },
    );
    expect(twoHops.records.map((r) => r.get('city') as string)).toEqual(['c3']);
    const count = await driver.executeQuery(`MATCH (p:${person}) RETURN count(p) AS n`);
    expect(neo4j.integer.toNumber(count.records[0]!.get('n'))).toBe(1000);

    const violation = driver.executeQuery(`CREATE (:${person} {id: 1})`);
    await expect(violation).rejects.toBeInstanceOf(Neo4jError);
    await expect(violation).rejects.toMatchObject({
      code: 'Neo.ClientError.Schema.ConstraintValidationFailed',
    });
  });
});
