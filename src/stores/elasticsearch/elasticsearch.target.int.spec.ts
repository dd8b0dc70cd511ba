import { Client } from '@elastic/elasticsearch';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import type { ViewDocument, ViewOperation } from '../../core/plan';
import { ProjectionEvaluationError } from '../../core/plan';
import type { ElasticsearchTargetShape } from './elasticsearch-view-shape';
import { classifyError } from '../../runtime/error-classifier';
import type { GenerationSpec, ViewRef } from '../target.port';
import { deleteIndicesWithPrefix } from './elasticsearch-cleanup';
import { excludeTombstones } from './elasticsearch-shape';
import { DocumentRejectedError } from './elasticsearch.errors';
import { ElasticsearchTarget } from './elasticsearch.target';

const SHAPE: ElasticsearchTargetShape = {
  kind: 'elasticsearch',
  index: 'orders',
  id: 'order_id',
  fields: {
    order_id: { type: 'keyword', facet: false, filter: true },
    status: { type: 'keyword', facet: true, filter: true },
    total: { type: 'long', facet: false, filter: true },
    placed_at: { type: 'date', facet: false, filter: true },
  },
};

function order(id: string, status: string, total: number): ViewDocument {
  return { order_id: id, status, total, placed_at: '2024-05-01T10:00:00.000Z' };
}
function put(document: ViewDocument, position: bigint): Extract<ViewOperation, { kind: 'put' }> {
  return { kind: 'put', key: document.order_id as string, document, position };
}

describeWithStores(['elasticsearch'], 'Elasticsearch target', (urls) => {
  const prefix = `${uniqueTestName('es_target')}-`;
  let target: ElasticsearchTarget;
  let client: Client;
  let counter = 0;
  let projection = '';
  let shape: ElasticsearchTargetShape = SHAPE;
  const spec = (generation = 1): GenerationSpec => ({
    projection,
    generation,
    shape,
    fingerprint: 'fp',
    definition: null,
  });
  const ref = (generation = 1): ViewRef => ({ projection, generation, shape });

  beforeAll(async () => {
    client = new Client({ node: urls.elasticsearch });
    target = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
  });
  afterAll(async () => {
    await target.close();
    const deleted = await deleteIndicesWithPrefix(client, prefix);
    expect(deleted.length).toBeGreaterThan(0);
    await client.close();
  });
  beforeEach(() => {
    counter += 1;
    projection = `orders_${counter}`;
    shape = { ...SHAPE, index: `orders_${counter}` };
  });

  it('creates each generation with the declared settings and text analyzers (issue #18)', async () => {
    shape = {
      ...shape,
      fields: {
        ...shape.fields,
        title: {
          type: 'text',
          facet: false,
          filter: false,
          analyzer: 'whitespace',
          searchAnalyzer: 'whitespace',
        },
        notes: { type: 'text', facet: false, filter: false },
      },
      settings: { shards: 2, replicas: 0, refreshInterval: '5s' },
    };
    await target.prepare(spec(1));
    const index = `${prefix}${projection}-g1`;
    const settings = (await client.indices.getSettings({ index }))[index]?.settings?.index;
    expect(settings).toMatchObject({
      number_of_shards: '2',
      number_of_replicas: '0',
      refresh_interval: '5s',
    });
    const commit = await target.commit(ref(1), {
      operations: [
        {
          kind: 'put',
          key: 'a',
          document: { ...order('a', 'placed', 1), title: 'Desk Lamp', notes: 'Desk Lamp' },
          position: 1n,
        },
      ],
      checkpoint: { from: 0n, to: 1n },
    });
    expect(commit.kind).toBe('committed');
    await client.indices.refresh({ index });
    const count = async (field: string, text: string) =>
      (await client.count({ index, query: { match: { [field]: text } } })).count;
    // whitespace keeps case; the standard analyzer (notes) lowercases.
    expect(await count('title', 'lamp')).toBe(0);
    expect(await count('title', 'Lamp')).toBe(1);
    expect(await count('notes', 'lamp')).toBe(1);
  });

  it('expands replicas with the cluster by default: none on one node, so it stays green', async () => {
    await target.prepare(spec(2));
    const index = `${prefix}${projection}-g2`;
    const settings = (await client.indices.getSettings({ index }))[index]?.settings?.index;
    expect(settings?.auto_expand_replicas).toBe('0-1');
  });

  it('creates the generation index with a strict mapping, one shard and no replicas', async () => {
    await target.prepare(spec(3));
    const index = `${prefix}${projection}-g3`;
    const mapping = await client.indices.getMapping({ index });
    expect(mapping[index]?.mappings).toEqual({
      dynamic: 'strict',
      properties: {
        _prism_deleted: { type: 'boolean' },
        order_id: { type: 'keyword' },
        status: { type: 'keyword' },
        total: { type: 'long' },
        placed_at: { type: 'date' },
      },
    });
    const settings = await client.indices.getSettings({ index });
    expect(settings[index]?.settings?.index?.number_of_replicas).toBe('0');
    const health = await client.cluster.health({ index, wait_for_status: 'green', timeout: '10s' });
    expect(health.status).toBe('green');
  });

  it('external versions: re-applying a batch, or an older operation after a newer one, changes nothing', async () => {
    await target.prepare(spec());
    await target.commit(ref(), {
      operations: [put(order('a', 'placed', 10), 5n)],
      checkpoint: { from: 0n, to: 5n },
    });
    // The runner restarted from a stale checkpoint 0 and re-delivers: the checkpoint refuses it...
    expect(
      await target.commit(ref(), {
        operations: [put(order('a', 'placed', 10), 5n)],
        checkpoint: { from: 0n, to: 5n },
      }),
    ).toEqual({ kind: 'checkpoint-mismatch', actual: 5n });
    // ...and even a write that gets through with an older position does not overwrite the newer document.
    const older = await target.commit(ref(), {
      operations: [put(order('a', 'stale', 1), 3n), put(order('b', 'placed', 2), 6n)],
      checkpoint: { from: 5n, to: 6n },
    });
    expect(older).toEqual({ kind: 'committed', checkpoint: 6n });
    const loaded = await target.load(ref(), ['a', 'b']);
    expect(loaded.get('a')).toEqual({ document: order('a', 'placed', 10), position: 5n });
    expect(loaded.get('b')).toEqual({ document: order('b', 'placed', 2), position: 6n });
  });

  it('deletes leave a versioned tombstone: an older put after the delete cannot resurrect the document', async () => {
    await target.prepare(spec());
    await target.activate(ref());
    await target.commit(ref(), {
      operations: [put(order('a', 'placed', 10), 1n)],
      checkpoint: { from: 0n, to: 1n },
    });
    await target.commit(ref(), {
      operations: [{ kind: 'delete', key: 'a', position: 4n }],
      checkpoint: { from: 1n, to: 4n },
    });
    await target.commit(ref(), {
      operations: [put(order('a', 'shipped', 10), 2n)],
      checkpoint: { from: 4n, to: 5n },
    });
    expect((await target.load(ref(), ['a'])).get('a')).toEqual({ document: null, position: 4n });
    expect(await target.readActive(shape)).toEqual([]);
    // A newer put brings it back.
    await target.commit(ref(), {
      operations: [put(order('a', 'reopened', 11), 6n)],
      checkpoint: { from: 5n, to: 6n },
    });
    expect(await target.readActive(shape)).toEqual([order('a', 'reopened', 11)]);
  });

  it('a crash between the bulk and the checkpoint: re-delivery of the same events is harmless', async () => {
    await target.prepare(spec());
    const operations = [
      put(order('a', 'placed', 1), 1n),
      put(order('b', 'placed', 2), 2n),
      { kind: 'delete' as const, key: 'c', position: 3n },
    ];
    // Simulate the crash: the documents are stored, the checkpoint write never happened.
    await client.bulk({
      refresh: true,
      operations: operations.flatMap((operation) => [
        {
          index: {
            _index: `${prefix}${projection}-g1`,
            _id: operation.key,
            version: Number(operation.position),
            version_type: 'external',
          },
        },
        operation.kind === 'put' ? operation.document : { _prism_deleted: true },
      ]),
    });
    expect(await target.readCheckpoint(ref())).toBe(0n);
    // The runner asks load for the positions, sees them, and (here, not skipping) re-applies the batch anyway.
    const loaded = await target.load(ref(), ['a', 'b', 'c']);
    expect([...loaded.entries()].map(([key, doc]) => [key, doc.position])).toEqual([
      ['a', 1n],
      ['b', 2n],
      ['c', 3n],
    ]);
    expect(await target.commit(ref(), { operations, checkpoint: { from: 0n, to: 3n } })).toEqual({
      kind: 'committed',
      checkpoint: 3n,
    });
    const after = await target.load(ref(), ['a', 'b', 'c']);
    expect(after.get('a')).toEqual({ document: order('a', 'placed', 1), position: 1n });
    expect(after.get('c')).toEqual({ document: null, position: 3n });
  });

  it('a partial bulk failure stores the good documents, reports the bad one as poison and keeps the checkpoint', async () => {
    await target.prepare(spec());
    const good = Array.from({ length: 40 }, (_, i) => put(order(`o${i}`, 'placed', i), BigInt(i + 1)));
    const bad: ViewOperation = {
      kind: 'put',
      key: 'bad',
      document: { order_id: 'bad', status: 'placed', total: 'lots' },
      position: 41n,
    };
    const failure = await target
      .commit(ref(), {
        operations: [...good.slice(0, 20), bad, ...good.slice(20)],
        checkpoint: { from: 0n, to: 41n },
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(DocumentRejectedError);
    expect(failure).toBeInstanceOf(ProjectionEvaluationError);
    expect(classifyError(failure)).toBe('poison');
    expect((failure as DocumentRejectedError).rejected.map((item) => [item.key, item.type])).toEqual([
      ['bad', 'document_parsing_exception'],
    ]);
    expect(await target.readCheckpoint(ref())).toBe(0n);
    const loaded = await target.load(ref(), [...good.map((op) => op.key), 'bad']);
    expect(loaded.size).toBe(40);
    expect(loaded.has('bad')).toBe(false);
    // validate catches the same document before the bulk, so the runner parks it without a round trip.
    expect(target.validate(ref(), bad.kind === 'put' ? bad.document : {})).toMatch(/total/);
    expect(target.validate(ref(), { ...order('x', 'placed', 1), colour: 'red' })).toMatch(
      /colour.*not declared/,
    );
  });

  it('a concurrent checkpoint move between read and write is a mismatch (if_seq_no compare-and-set)', async () => {
    await target.prepare(spec());
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        target.commit(ref(), {
          operations: [put(order(`p${n}`, 'placed', n), BigInt(n))],
          checkpoint: { from: 0n, to: BigInt(n) },
        }),
      ),
    );
    const committed = results.filter((result) => result.kind === 'committed');
    expect(committed).toHaveLength(1);
    expect(await target.readCheckpoint(ref())).toBe((committed[0] as { checkpoint: bigint }).checkpoint);
  });

  it('swaps the alias while a client searches continuously: every response counts the old or the new generation', async () => {
    const search = (): Promise<number> =>
      client
        .search({
          index: target.aliasOf(shape),
          size: 0,
          track_total_hits: true,
          query: { bool: { must_not: [excludeTombstones()] } },
        })
        .then((response) =>
          typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? -1),
        );
    await target.prepare(spec(1));
    const first = Array.from({ length: 50 }, (_, i) => put(order(`a${i}`, 'placed', i), BigInt(i + 1)));
    await target.commit(ref(1), { operations: first, checkpoint: { from: 0n, to: 50n } });
    await target.activate(ref(1));
    expect(await search()).toBe(50);

    const counts: number[] = [];
    const failures: unknown[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        try {
          counts.push(await search());
        } catch (error) {
          failures.push(error);
        }
      }
    })();
    await target.prepare(spec(2));
    for (let batch = 0; batch < 4; batch += 1) {
      const operations = Array.from({ length: 20 }, (_, i) =>
        put(order(`b${batch}-${i}`, 'placed', i), BigInt(batch * 20 + i + 1)),
      );
      await target.commit(ref(2), {
        operations,
        checkpoint: { from: BigInt(batch * 20), to: BigInt(batch * 20 + 20) },
      });
    }
    expect(await target.activate(ref(2), { minCheckpoint: 80n })).toEqual({ kind: 'activated', previous: 1 });
    // Keep searching until the loop has seen the new generation a few times.
    const seen = (): number => counts.filter((count) => count === 80).length;
    while (seen() < 3 && failures.length === 0) await new Promise((resolve) => setImmediate(resolve));
    running = false;
    await loop;
    expect(failures).toEqual([]);
    expect(counts.filter((count) => count !== 50 && count !== 80)).toEqual([]);
    expect(counts[0]).toBe(50);
    expect(counts[counts.length - 1]).toBe(80);
    await target.drop(ref(1));
    expect(await client.indices.exists({ index: `${prefix}${projection}-g1` })).toBe(false);
    expect(await search()).toBe(80);
  });
});
