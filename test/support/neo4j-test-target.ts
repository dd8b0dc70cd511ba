/**
 * A Neo4j target of a test suite's own, on the test server: its bookkeeping under a prefix of the suite,
 * and every view the suite registers removed after it (nodes, constraints, indexes, bookkeeping).
 *
 *   const neo = useNeo4jTestTarget(() => urls.neo4j, 'B');
 *   const { plan, ref } = await neo.prepared('social-graph', 'batch', [1, 2]);
 *   await neo.target.commit(ref(1), ...);
 */
import neo4j, { type Driver } from 'neo4j-driver';
import type { CompiledProjection, ViewOperation } from '../../src/core/plan';
import { cleanUp, exampleProjection } from '../../src/stores/neo4j/neo4j-test-support';
import type { Neo4jTargetShape } from '../../src/stores/neo4j/neo4j-view-shape';
import { Neo4jTarget } from '../../src/stores/neo4j/neo4j.target';
import type { GenerationSpec, Target, ViewRef } from '../../src/stores/target.port';
import { uniqueTestName } from './stores';

export interface TestGraphView {
  readonly shape: Neo4jTargetShape;
  readonly spec: (generation?: number) => GenerationSpec;
  readonly ref: (generation?: number) => ViewRef;
}

export interface Neo4jTestTarget {
  readonly driver: Driver;
  readonly target: Neo4jTarget;
  /** Registers `plan`'s `generations` for the clean-up; its generation specs and refs (default 1). */
  view(plan: CompiledProjection, generations?: readonly number[]): TestGraphView;
  /** projections/<file>.yaml under a unique name starting with `name`, `generations` prepared. */
  prepared(
    file: string,
    name: string,
    generations: readonly number[],
  ): Promise<TestGraphView & { readonly plan: CompiledProjection }>;
}

/** `tag`: a letter or two that tells the suite's bookkeeping apart in the shared database. */
export function useNeo4jTestTarget(url: () => string, tag: string): Neo4jTestTarget {
  const prefix = `Prism${tag}${uniqueTestName('').replace(/[^A-Za-z0-9]/g, '')}`;
  const created: { projection: string; generations: readonly number[]; shape: Neo4jTargetShape }[] = [];
  let driver: Driver | undefined;
  let target: Neo4jTarget | undefined;

  beforeAll(async () => {
    driver = neo4j.driver(url());
    target = new Neo4jTarget(driver, { bookkeepingPrefix: prefix });
    await target.initialize();
  });
  afterAll(async () => {
    if (driver === undefined || target === undefined) return;
    await cleanUp(driver, target.labels, created);
    await driver.close();
  });

  const suite: Neo4jTestTarget = {
    get driver() {
      if (driver === undefined) throw new Error('the Neo4j test target is set up in beforeAll');
      return driver;
    },
    get target() {
      if (target === undefined) throw new Error('the Neo4j test target is set up in beforeAll');
      return target;
    },
    view(plan, generations = [1]) {
      const shape = plan.target as Neo4jTargetShape;
      created.push({ projection: plan.name, generations, shape });
      return {
        shape,
        spec: (generation = 1) => ({
          projection: plan.name,
          generation,
          shape,
          fingerprint: plan.fingerprint,
          definition: null,
        }),
        ref: (generation = 1) => ({ projection: plan.name, generation, shape }),
      };
    },
    async prepared(file, name, generations) {
      const plan = exampleProjection(file, uniqueTestName(name));
      const view = suite.view(plan, generations);
      for (const generation of generations) await suite.target.prepare(view.spec(generation));
      return { plan, ...view };
    },
  };
  return suite;
}

/**
 * Commits `operations` (in log order, from checkpoint 0) in consecutive batches of `batchSize()` operations,
 * each of which must commit.
 */
export async function commitInBatches(
  target: Pick<Target, 'commit'>,
  view: ViewRef,
  operations: readonly ViewOperation[],
  batchSize: () => number,
): Promise<void> {
  let at = 0;
  let checkpoint = 0n;
  while (at < operations.length) {
    const batch = operations.slice(at, at + batchSize());
    const to = batch[batch.length - 1]!.position;
    expect(await target.commit(view, { operations: batch, checkpoint: { from: checkpoint, to } })).toEqual({
      kind: 'committed',
      checkpoint: to,
    });
    checkpoint = to;
    at += batch.length;
  }
}

/** One operation per commit, from checkpoint 0: what a batch must be equal to. */
export function commitOneByOne(
  target: Pick<Target, 'commit'>,
  view: ViewRef,
  operations: readonly ViewOperation[],
): Promise<void> {
  return commitInBatches(target, view, operations, () => 1);
}
