/**
 * The Target contract (test/contract/target.contract.ts) on the jsonfile target, in a fresh directory.
 *
 * Not run by default (a seam defect, issue #13): the contract gives each test its own view name by renaming
 * the shape's `table` or `index`, fields it knows by name, and leaves any other store's shape as it is, so
 * every test's projection claims the same collection and the second one is refused. With the contract
 * renaming the field the store's DSL section names (`dsl.viewName`, here `collection`) all 15 cases pass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ViewDocument } from '../../src/core/plan';
import { targetContract } from '../contract/target.contract';
import { JsonFileClient } from './jsonfile-client';
import { JsonFileTarget } from './jsonfile.target';
import { isJsonFileShape, type JsonFileTargetShape } from './jsonfile-view-shape';

/** The contract's `contract_orders` shape as a collection; `status` and `total` are required. */
const CONTRACT_COLLECTION_SHAPE: JsonFileTargetShape = {
  kind: 'jsonfile',
  collection: 'contract_orders',
  key: 'order_id',
  fields: {
    order_id: { type: 'string', nullable: false },
    status: { type: 'string', nullable: false },
    total: { type: 'integer', nullable: false },
    note: { type: 'string', nullable: true },
  },
};

const directory = mkdtempSync(path.join(tmpdir(), 'prism-jsonfile-contract-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it.todo("runs the Target contract, once the contract renames any store's view name (see the file comment)");

// PRISM_SEAM_CONTRACT=on runs it today (every case after the first then fails on the shared collection name).
if (process.env.PRISM_SEAM_CONTRACT === 'on')
  targetContract({
    name: 'jsonfile (test store)',
    shape: CONTRACT_COLLECTION_SHAPE,
    create: async () => {
      const target = new JsonFileTarget(new JsonFileClient(directory));
      await target.initialize();
      return target;
    },
    readActive: async (target, shape): Promise<ViewDocument[]> => {
      if (!isJsonFileShape(shape)) throw new Error(`not a jsonfile shape: ${shape.kind}`);
      const documents = (await (target as JsonFileTarget).readActive(shape.collection)) ?? {};
      return Object.keys(documents)
        .sort()
        .map((key) => documents[key]!);
    },
  });
