/**
 * The Target contract (test/contract/target.contract.ts) on the jsonfile target, in a fresh directory: the
 * store module that lives only under test/ passes the same suite as the built-in stores. It is registered
 * for this file's run, so the contract finds its view-name field (`dsl.viewName`: `collection`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ViewDocument } from '../../src/core/plan';
import { registerStoreModule } from '../../src/stores/registry';
import { targetContract } from '../contract/target.contract';
import { jsonFileStore } from './jsonfile.store';
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

const unregister = registerStoreModule(jsonFileStore);
afterAll(() => unregister());

targetContract({
  name: 'jsonfile (test store)',
  store: jsonFileStore,
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
