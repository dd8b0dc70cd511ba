/**
 * The Target contract: what "works" means for a view store. Every store module runs this same suite from
 * its own spec file (src/stores/<store>/<store>.contract.int.spec.ts):
 *
 *   targetContract({ name: 'relational (PostgreSQL)', store: relationalStore, create: ..., readActive: ... });
 *
 * The cases come in three groups, chosen by what the target holds, never by the store's name:
 *  - shared (target-shared.cases.ts): generations, the registry, the checkpoint compare-and-set, activate
 *    and drop, parking and resolutions, written with whichever family the view has; and the fences of
 *    issue #15 (target-fence.cases.ts), likewise;
 *  - document cases (target-document.cases.ts) for document shapes, whose plans read state;
 *  - graph cases (target-graph.cases.ts) for graph shapes: merges, deletes, scan order, shape checks.
 */
import { uniqueTestName } from '../support/stores';
import type { TargetShape } from '../../src/core/view-shape';
import type { Target } from '../../src/stores/target.port';
import { documentCases } from './target-document.cases';
import { fenceCases } from './target-fence.cases';
import { segmentCases } from './target-segment.cases';
import { graphCases } from './target-graph.cases';
import { lookupCases } from './target-lookup.cases';
import { fanOutCases } from './target-fan-out.cases';
import { sharedCases } from './target-shared.cases';
import {
  CONTRACT_SHAPE,
  DOCUMENT_FAMILY,
  GRAPH_FAMILY,
  idOf,
  isGraphShape,
  renamed,
  scanAll,
  type ContractContext,
  type TargetContractHarness,
} from './target-contract.support';

export {
  CONTRACT_GRAPH_SHAPE,
  CONTRACT_INDEX_SHAPE,
  CONTRACT_SHAPE,
  type TargetContractHarness,
} from './target-contract.support';

export function targetContract(harness: TargetContractHarness): void {
  const template = harness.shape ?? CONTRACT_SHAPE;
  const family = isGraphShape(template) ? GRAPH_FAMILY : DOCUMENT_FAMILY;
  describe(`Target contract: ${harness.name} (${family.name} view)`, () => {
    // A run's own projection names: some stores keep physical names per projection in a shared server.
    const run = uniqueTestName(harness.projectionPrefix ?? 'contract');
    let target: Target;
    let counter = 0;
    let shape: TargetShape = template;
    const projection = () => `${run}_${counter}`;
    const context: ContractContext = {
      harness,
      family,
      target: () => target,
      shape: () => shape,
      spec: (generation = 1) => ({
        projection: projection(),
        generation,
        shape,
        fingerprint: `fp-${generation}`,
        definition: { name: projection(), generation },
      }),
      ref: (generation = 1) => ({ projection: projection(), generation, shape }),
      readers: async () => {
        if (family.name === 'document') {
          if (harness.readActive === undefined)
            throw new Error(`${harness.name}: a document view needs readActive`);
          return (await harness.readActive(target, shape)).map((document) => document.order_id as string);
        }
        // Graph readers resolve the registry's active generation at query time (src/stores/neo4j/query).
        const active = (await target.readProjection(projection()))?.activeGeneration;
        if (active === null || active === undefined) return [];
        return (await scanAll(target, context.ref(active))).map((entry) => idOf(entry.key));
      },
    };

    beforeAll(async () => {
      target = await harness.create();
    });
    afterAll(async () => {
      await target?.close();
    });
    beforeEach(() => {
      counter += 1;
      shape = renamed(template, `_${counter}`);
    });

    it('states the capabilities of its store module, and a document view is one whose plans read state', () => {
      expect(target.capabilities).toEqual(harness.store.capabilities);
      if (family.name === 'document') expect(target.capabilities.readsState).toBe(true);
    });

    sharedCases(context);
    fenceCases(context);
    segmentCases(context);
    if (family.name === 'document') documentCases(context);
    else graphCases(context);
    // lookups (correlation state), for the stores that keep them
    if (harness.store.capabilities.keepsLookups === true) lookupCases(context);
    // fan-out updates (updateAll), for the stores that find documents by a secondary key
    if (harness.store.capabilities.findsKeys === true && family.name === 'document') fanOutCases(context);
  });
}
