/**
 * The nodes a catch-up knows (graph-known-nodes.ts) against a real Neo4j: they replace the lookup only
 * while this process is the generation's one writer, and knowledge made wrong behind its back fails a
 * transaction that the target commits again with the lookup, never a wrong graph (issue #17).
 */
import type { Driver } from 'neo4j-driver';
import { describeWithStores } from '../../../test/support/stores';
import { useNeo4jTestTarget } from '../../../test/support/neo4j-test-target';
import type { NodeRef, ViewOperation } from '../../core/plan';
import { GraphBatch } from './graph-batch';
import { physicalName } from './neo4j-names';
import { Neo4jTarget } from './neo4j.target';
import { snapshot } from './neo4j-test-support';

describeWithStores(['neo4j'], 'Neo4j graph batches knowing the nodes', (urls) => {
  const neo = useNeo4jTestTarget(() => urls.neo4j, 'K');
  let driver: Driver;
  let target: Neo4jTarget;
  beforeAll(() => ({ driver, target } = neo));

  const c = (key: string): NodeRef => ({ label: 'Customer', key });
  const name = (key: string, value: string, position: bigint): ViewOperation => ({
    kind: 'mergeNode',
    node: c(key),
    set: { name: value },
    position,
  });
  const follows = (a: string, b: string, position: bigint): ViewOperation => ({
    kind: 'mergeRelationship',
    type: 'FOLLOWS',
    from: c(a),
    to: c(b),
    set: {},
    position,
  });

  /** Whether each GraphBatch.write of `work` was given the nodes (true) or read the lookup (false). */
  async function writes(work: () => Promise<void>): Promise<boolean[]> {
    const spy = jest.spyOn(GraphBatch.prototype, 'write');
    try {
      await work();
      return spy.mock.calls.map(([, options]) => options?.known !== undefined);
    } finally {
      spy.mockRestore();
    }
  }

  it('knows the nodes from checkpoint 0 on, and commits again with the lookup when one it knew was deleted behind its back', async () => {
    const { shape, plan, ref } = await neo.prepared('social-graph', 'deleted', [1]);
    const first = await writes(async () => {
      await target.commit(ref(), { operations: [name('x', 'X', 1n)], checkpoint: { from: 0n, to: 1n } });
    });
    expect(first).toEqual([true]);
    const label = physicalName('Customer', plan.name, 1);
    await driver.executeQuery(`MATCH (n:\`${label}\` {customerId: 'x'}) DETACH DELETE n`);
    let result: unknown;
    const second = await writes(async () => {
      result = await target.commit(ref(), {
        operations: [name('x', 'X2', 2n), follows('x', 'y', 3n)],
        checkpoint: { from: 1n, to: 3n },
      });
    });
    // x was known to exist: its MATCH found nothing, and the batch was committed again with the lookup
    expect(second).toEqual([true, false]);
    expect(result).toEqual({ kind: 'committed', checkpoint: 3n });
    expect(await snapshot(driver, shape, plan.name, 1)).toEqual({
      nodes: ['Customer:x {"name":"X2"}', 'Customer:y {"_prism_placeholder":true}'],
      relationships: ['Customer:x -FOLLOWS {}-> Customer:y'],
    });
    // and the knowledge is gone: the next batch reads the lookup
    const third = await writes(async () => {
      await target.commit(ref(), { operations: [name('y', 'Y', 4n)], checkpoint: { from: 3n, to: 4n } });
    });
    expect(third).toEqual([false]);
  });

  it('commits again with the lookup when a node it thought missing was created behind its back', async () => {
    const { shape, plan, ref } = await neo.prepared('social-graph', 'created', [1]);
    await target.commit(ref(), { operations: [name('a', 'A', 1n)], checkpoint: { from: 0n, to: 1n } });
    const label = physicalName('Customer', plan.name, 1);
    await driver.executeQuery(`CREATE (:\`${label}\` {customerId: 'b', name: 'from elsewhere'})`);
    let result: unknown;
    const calls = await writes(async () => {
      result = await target.commit(ref(), {
        operations: [follows('a', 'b', 2n)],
        checkpoint: { from: 1n, to: 2n },
      });
    });
    // b's placeholder CREATE failed on the key's uniqueness constraint, not as a poison event
    expect(calls).toEqual([true, false]);
    expect(result).toEqual({ kind: 'committed', checkpoint: 2n });
    expect(await snapshot(driver, shape, plan.name, 1)).toEqual({
      nodes: ['Customer:a {"name":"A"}', 'Customer:b {"name":"from elsewhere"}'],
      relationships: ['Customer:a -FOLLOWS {}-> Customer:b'],
    });
  });

  it('does not use what it knew once another writer moved the checkpoint', async () => {
    const { shape, plan, ref } = await neo.prepared('social-graph', 'other', [1]);
    await target.commit(ref(), { operations: [name('p', 'P', 1n)], checkpoint: { from: 0n, to: 1n } });
    // another process (its own target, its own knowledge) takes over and deletes p
    const other = new Neo4jTarget(driver, { bookkeepingPrefix: target.labels.prefix });
    expect(
      await other.commit(ref(), {
        operations: [{ kind: 'deleteNode', node: c('p'), position: 2n }],
        checkpoint: { from: 1n, to: 2n },
      }),
    ).toEqual({ kind: 'committed', checkpoint: 2n });
    // this process commits after it, from the position the other one left
    const calls = await writes(async () => {
      await target.commit(ref(), { operations: [name('p', 'P3', 3n)], checkpoint: { from: 2n, to: 3n } });
    });
    expect(calls).toEqual([false]);
    expect((await snapshot(driver, shape, plan.name, 1)).nodes).toEqual(['Customer:p {"name":"P3"}']);
  });

  it('keeps what it knows through a commit that failed in its transaction, and a refused one makes it read the lookup', async () => {
    const { plan, ref } = await neo.prepared('social-graph', 'refused', [1]);
    await target.commit(ref(), {
      operations: [name('r', 'R', 1n)],
      checkpoint: { from: 0n, to: 1n },
      fence: 1n,
    });
    // the connection is lost while the batch is written: rolled back, the knowledge is still position 1's
    const lost = new Error('connection lost');
    const failing = jest.spyOn(GraphBatch.prototype, 'write').mockRejectedValueOnce(lost);
    try {
      await expect(
        target.commit(ref(), {
          operations: [name('r', 'R2', 2n)],
          checkpoint: { from: 1n, to: 2n },
          fence: 1n,
        }),
      ).rejects.toBe(lost);
    } finally {
      failing.mockRestore();
    }
    const kept = await writes(async () => {
      await target.commit(ref(), {
        operations: [name('r', 'R2', 2n)],
        checkpoint: { from: 1n, to: 2n },
        fence: 1n,
      });
    });
    expect(kept).toEqual([true]);
    // a new lease holder raises the fence: this process's next commit is refused, and its knowledge goes
    await driver.executeQuery(`MATCH (c:\`${target.labels.checkpoint}\` {projection: $p}) SET c.fence = 10`, {
      p: plan.name,
    });
    expect(
      await target.commit(ref(), {
        operations: [name('r', 'R3', 3n)],
        checkpoint: { from: 2n, to: 3n },
        fence: 1n,
      }),
    ).toEqual({ kind: 'fenced', fence: 10n });
    const after = await writes(async () => {
      await target.commit(ref(), {
        operations: [name('r', 'R3', 3n)],
        checkpoint: { from: 2n, to: 3n },
        fence: 11n,
      });
    });
    expect(after).toEqual([false]);
  });
});
