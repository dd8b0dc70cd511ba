/**
 * A process frozen inside a Neo4j commit (SIGSTOP, a long GC pause) keeps its transaction open, and its
 * locks with it: the node that took its lease over would wait for as long as it stays frozen (Neo4j's lock
 * acquisition has no timeout by default). Write transactions carry a server-side time limit
 * (Neo4jTargetOptions.transactionTimeoutMs), so the server terminates the frozen one and the next writer
 * gets the locks. Real Neo4j; the frozen holder is a transaction that stops talking after taking a lock,
 * which is all the server sees of a frozen process.
 */
import neo4j, { type Driver } from 'neo4j-driver';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import { Neo4jSessions } from './neo4j-records';

describeWithStores(['neo4j'], 'Neo4j write transactions time out on the server', (urls) => {
  const label = `Frozen${uniqueTestName('').replace(/[^A-Za-z0-9]/g, '')}`;
  let driver: Driver;

  beforeAll(async () => {
    driver = neo4j.driver(urls.neo4j);
    await driver.executeQuery(`CREATE (:\`${label}\` {id: 1, v: 0})`);
  });

  afterAll(async () => {
    await driver?.executeQuery(`MATCH (n:\`${label}\`) DETACH DELETE n`);
    await driver?.close();
  });

  it('releases a frozen writer’s locks when its transaction passes the limit; the next writer goes on', async () => {
    const frozenFor = 12_000;
    const frozen = new Neo4jSessions(driver, undefined, 1_500);
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const frozenWrite = frozen.write(async (tx) => {
      await tx.run(`MATCH (n:\`${label}\` {id: 1}) SET n.v = 1`);
      locked();
      // Frozen: no statement, no commit, while it holds the node's write lock.
      await new Promise((resolve) => setTimeout(resolve, frozenFor));
    });
    const frozenOutcome = frozenWrite.then(
      () => 'committed',
      (error: unknown) => `failed: ${(error as { code?: string }).code ?? String(error)}`,
    );
    await holding;

    const next = new Neo4jSessions(driver, undefined);
    const started = Date.now();
    await next.write((tx) => tx.run(`MATCH (n:\`${label}\` {id: 1}) SET n.v = 2`));
    const waited = Date.now() - started;
    // Without the limit it would wait the whole freeze (12 s); with it, about the 1.5 s limit.
    expect(waited).toBeLessThan(frozenFor - 4_000);

    // The frozen writer learns its transaction is gone when it wakes; its write never lands.
    expect(await frozenOutcome).toMatch(/^failed: .*(Terminated|TimedOut|Transaction)/);
    const { records } = await driver.executeQuery(`MATCH (n:\`${label}\` {id: 1}) RETURN n.v AS v`);
    expect(records[0]!.get('v')).toEqual(neo4j.int(2));
  }, 40_000);
});
