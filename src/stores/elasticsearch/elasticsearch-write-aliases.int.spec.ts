/**
 * A late write never re-creates a dropped generation (elasticsearch-write-aliases.ts). The late writer is
 * a target that committed before the drop, so its claim comes from what it wrote last and reaches the
 * bulk without reading the checkpoint: the window a stopped runner's last batch, or a node that has not
 * seen the swap yet, writes in. The drop is done by another target, as another node would.
 */
import { Client } from '@elastic/elasticsearch';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import type { ViewDocument } from '../../core/plan';
import type { GenerationSpec, ViewRef } from '../target.port';
import { deleteIndicesWithPrefix } from './elasticsearch-cleanup';
import type { ElasticsearchTargetShape } from './elasticsearch-view-shape';
import { writeAliasOf } from './elasticsearch-write-aliases';
import { ElasticsearchTarget } from './elasticsearch.target';

const SHAPE: ElasticsearchTargetShape = {
  kind: 'elasticsearch',
  index: 'orders',
  id: 'order_id',
  fields: {
    order_id: { type: 'keyword', facet: false, filter: true },
    status: { type: 'keyword', facet: false, filter: true },
  },
};

const order = (id: string, status: string): ViewDocument => ({ order_id: id, status });

describeWithStores(['elasticsearch'], 'Elasticsearch write aliases', (urls) => {
  const prefix = `${uniqueTestName('es_write_alias')}-`;
  let client: Client;
  let late: ElasticsearchTarget;
  let other: ElasticsearchTarget;
  let counter = 0;
  let projection = '';
  const shape = (): ElasticsearchTargetShape => ({ ...SHAPE, index: projection });
  const spec = (generation = 1): GenerationSpec => ({
    projection,
    generation,
    shape: shape(),
    fingerprint: 'fp',
    definition: null,
  });
  const ref = (generation = 1): ViewRef => ({ projection, generation, shape: shape() });
  const indexOf = (suffix = '') => `${prefix}${projection}-g1${suffix}`;
  const exists = (index: string) => client.indices.exists({ index });

  beforeAll(async () => {
    client = new Client({ node: urls.elasticsearch });
    late = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
    other = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
  });
  afterAll(async () => {
    await late.close();
    await other.close();
    await deleteIndicesWithPrefix(client, prefix);
    await client.close();
  });
  beforeEach(() => {
    counter += 1;
    projection = `orders_${counter}`;
  });

  it('a generation is created with its write alias, and writes go through it', async () => {
    await late.prepare(spec());
    const aliases = await client.indices.getAlias({ index: indexOf() });
    expect(Object.keys(aliases[indexOf()]!.aliases)).toEqual([writeAliasOf(indexOf())]);
    expect(
      await late.commit(ref(), {
        operations: [{ kind: 'put', key: 'o1', document: order('o1', 'placed'), position: 1n }],
        checkpoint: { from: 0n, to: 1n },
      }),
    ).toEqual({ kind: 'committed', checkpoint: 1n });
    expect((await late.load(ref(), ['o1'])).get('o1')).toEqual({
      document: order('o1', 'placed'),
      position: 1n,
    });
  });

  it('a commit after another node dropped the generation re-creates no index and stops the runner', async () => {
    await late.prepare(spec());
    await late.commit(ref(), {
      operations: [{ kind: 'put', key: 'o1', document: order('o1', 'placed'), position: 1n }],
      lookups: [{ lookup: 'order_customer', key: 'o1', value: 'c1', position: 1n }],
      checkpoint: { from: 0n, to: 1n },
    });
    expect(await exists(indexOf('-lookups'))).toBe(true);

    await other.drop(ref());
    expect(await exists(indexOf())).toBe(false);

    // Before write aliases this bulk re-created both indices with dynamic mappings (and no owner).
    const result = await late.commit(ref(), {
      operations: [{ kind: 'put', key: 'o2', document: order('o2', 'placed'), position: 2n }],
      lookups: [{ lookup: 'order_customer', key: 'o2', value: 'c2', position: 2n }],
      checkpoint: { from: 1n, to: 2n },
    });
    // A checkpoint that no longer exists: the runner stops with GenerationGoneError (runner-loop.ts).
    expect(result).toEqual({ kind: 'checkpoint-mismatch', actual: undefined });
    expect(await exists(indexOf())).toBe(false);
    expect(await exists(indexOf('-lookups'))).toBe(false);
  });

  it("a late writer's first lookup write does not re-create the lookups index of a dropped generation", async () => {
    await late.prepare(spec());
    // This process has written documents (the generation's write alias is known), but no lookups yet.
    await late.commit(ref(), {
      operations: [{ kind: 'put', key: 'o1', document: order('o1', 'placed'), position: 1n }],
      checkpoint: { from: 0n, to: 1n },
    });
    await other.drop(ref());

    const result = await late.commit(ref(), {
      operations: [],
      lookups: [{ lookup: 'order_customer', key: 'o1', value: 'c1', position: 2n }],
      checkpoint: { from: 1n, to: 2n },
    });
    expect(result).toEqual({ kind: 'checkpoint-mismatch', actual: undefined });
    expect(await exists(indexOf())).toBe(false);
    expect(await exists(indexOf('-lookups'))).toBe(false);
  });

  it('an index created before write aliases gets its alias at the first commit', async () => {
    await other.prepare(spec());
    // What an earlier Prism left: the generation's index without a write alias.
    await client.indices.deleteAlias({ index: indexOf(), name: writeAliasOf(indexOf()) });
    const fresh = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
    try {
      expect(
        await fresh.commit(ref(), {
          operations: [{ kind: 'put', key: 'o1', document: order('o1', 'placed'), position: 1n }],
          checkpoint: { from: 0n, to: 1n },
        }),
      ).toEqual({ kind: 'committed', checkpoint: 1n });
    } finally {
      await fresh.close();
    }
    expect(await client.indices.existsAlias({ index: indexOf(), name: writeAliasOf(indexOf()) })).toBe(true);
  });
});
