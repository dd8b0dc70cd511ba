/**
 * Why a stale writer's bulk is harmless on Elasticsearch (issue #15). Elasticsearch has no transaction
 * that could refuse the documents of a writer whose lease was taken over, so fencing works in two parts:
 *  - the fence lives in the checkpoint document, which every commit settles last with
 *    if_seq_no/if_primary_term: the new holder's fencing commit moves its seq_no, so the former holder's
 *    settle fails and answers `fenced`; its checkpoint never moves again;
 *  - every document it wrote meanwhile carries its event's position as an external version: the new
 *    holder, which resumes from the checkpoint the former one never moved, writes the same positions with
 *    the same content (refused as already applied, or written first and then refusing the stale ones), and
 *    anything later wins over them.
 *
 * Two processes are two targets on the same prefix. The former holder's client holds its document bulk at
 * a pause point after its claim, so the test decides when its writes land: before the new holder re-applies
 * those events, or after it moved past them. Both end with the documents of a clean build.
 */
import { Client } from '@elastic/elasticsearch';
import { CONTRACT_INDEX_SHAPE, order, put } from '../../../test/contract/target-contract.support';
import { describeWithStores, uniqueTestName } from '../../../test/support/stores';
import type { ViewOperation } from '../../core/plan';
import type { CheckpointRange, CommitBatch, ViewRef } from '../target.port';
import { deleteIndicesWithPrefix } from './elasticsearch-cleanup';
import type { ElasticsearchTargetShape } from './elasticsearch-view-shape';
import { ElasticsearchTarget } from './elasticsearch.target';

/** A client whose `_bulk` calls wait, while held, until released: the former holder frozen mid-commit. */
function pausableBulks(client: Client) {
  const send = client.bulk.bind(client);
  let held: { entered: () => void; release: Promise<void> } | undefined;
  const state = { bulks: 0 };
  Object.assign(client, {
    bulk: async (...args: Parameters<Client['bulk']>) => {
      state.bulks += 1;
      const hold = held;
      held = undefined;
      if (hold !== undefined) {
        hold.entered();
        await hold.release;
      }
      return send(...args);
    },
  });
  return {
    state,
    /** Holds the next bulk; resolves `entered` when it arrives, sends it on `release()`. */
    hold() {
      let release!: () => void;
      let entered!: () => void;
      const arrived = new Promise<void>((resolve) => (entered = resolve));
      held = { entered, release: new Promise<void>((resolve) => (release = resolve)) };
      return { arrived, release: () => release() };
    },
  };
}

// The log of one projection, in batches: a stale batch (3-4) between the one both holders agree on and
// the new holder's next one, which overwrites and deletes what the stale batch wrote.
const FIRST: readonly ViewOperation[] = [
  put(order('a', 'placed', 10), 1n),
  put(order('b', 'placed', 20), 2n),
];
const STALE: readonly ViewOperation[] = [put(order('a', 'paid', 10), 3n), put(order('c', 'placed', 5), 4n)];
const LATER: readonly ViewOperation[] = [
  put(order('a', 'shipped', 10), 5n),
  { kind: 'delete', key: 'b', position: 6n },
  put(order('c', 'paid', 5), 7n),
];
const batch = (operations: readonly ViewOperation[], checkpoint: CheckpointRange, fence: bigint) =>
  ({ operations, checkpoint, fence }) satisfies CommitBatch;

describeWithStores(['elasticsearch'], "Elasticsearch fencing: a stale writer's bulk is harmless", (urls) => {
  const prefix = `${uniqueTestName('es_fence')}-`;
  const admin = new Client({ node: urls.elasticsearch });
  let formerClient: Client;
  let bulks: ReturnType<typeof pausableBulks>;
  let former: ElasticsearchTarget;
  let holder: ElasticsearchTarget;
  let counter = 0;
  let shape: ElasticsearchTargetShape = CONTRACT_INDEX_SHAPE;
  const view = (name: string): ViewRef => ({ projection: `${name}_${counter}`, generation: 1, shape });
  const prepare = (target: ElasticsearchTarget, ref: ViewRef) =>
    target.prepare({ ...ref, fingerprint: 'fp', definition: null });

  /** Every key's document and position (tombstones too), and the live documents a scan lists. */
  const contents = async (ref: ViewRef) => ({
    loaded: Object.fromEntries(await holder.load(ref, ['a', 'b', 'c'])),
    scanned: await holder.scan(ref, { limit: 100 }),
  });
  /** The same events committed in one batch by one writer that never lost anything. */
  const cleanBuild = async () => {
    const clean = { ...view('clean'), shape: { ...shape, index: `${shape.index}_clean` } };
    await prepare(holder, clean);
    const all = [...FIRST, ...STALE, ...LATER];
    expect(await holder.commit(clean, { operations: all, checkpoint: { from: 0n, to: 7n } })).toEqual({
      kind: 'committed',
      checkpoint: 7n,
    });
    return contents(clean);
  };
  const storedFence = async (ref: ViewRef) => {
    const found = await admin.get<{ body?: { fence?: string } }>({
      index: holder.naming.meta,
      id: `checkpoint|${ref.projection}|${ref.generation}`,
    });
    return found._source?.body?.fence;
  };

  beforeAll(async () => {
    formerClient = new Client({ node: urls.elasticsearch });
    bulks = pausableBulks(formerClient);
    former = new ElasticsearchTarget(formerClient, { prefix });
    await former.initialize();
    holder = await ElasticsearchTarget.connect({ url: urls.elasticsearch, prefix });
  });
  afterAll(async () => {
    await holder?.close();
    await formerClient?.close();
    await deleteIndicesWithPrefix(admin, prefix);
    await admin.close();
  });
  beforeEach(() => {
    counter += 1;
    shape = { ...CONTRACT_INDEX_SHAPE, index: `fenced_orders_${counter}` };
  });

  /** The former holder (epoch 1) commits the first batch, then claims the next and is frozen at its bulk. */
  async function frozenFormerHolder(ref: ViewRef) {
    await prepare(holder, ref);
    expect(await former.commit(ref, batch(FIRST, { from: 0n, to: 2n }, 1n))).toEqual({
      kind: 'committed',
      checkpoint: 2n,
    });
    const paused = bulks.hold();
    const stale = former.commit(ref, batch(STALE, { from: 2n, to: 4n }, 1n));
    await paused.arrived;
    // The new holder (epoch 2) takes over: it fences the generation at the checkpoint it finds.
    expect(await holder.commit(ref, batch([], { from: 2n, to: 2n }, 2n))).toEqual({
      kind: 'committed',
      checkpoint: 2n,
    });
    return { stale, release: paused.release };
  }

  it('the stale bulk lands before the new holder re-applies its events: the re-application finds them applied', async () => {
    const ref = view('orders');
    const { stale, release } = await frozenFormerHolder(ref);
    release();
    expect(await stale).toEqual({ kind: 'fenced', fence: 2n });
    // Its documents are stored (nothing could refuse them), but its checkpoint did not move.
    expect((await holder.load(ref, ['c'])).get('c')?.position).toBe(4n);
    expect(await holder.readCheckpoint(ref)).toBe(2n);

    // The new holder resumes from checkpoint 2 and applies the same events, then later ones.
    expect(await holder.commit(ref, batch(STALE, { from: 2n, to: 4n }, 2n))).toEqual({
      kind: 'committed',
      checkpoint: 4n,
    });
    expect(await holder.commit(ref, batch(LATER, { from: 4n, to: 7n }, 2n))).toEqual({
      kind: 'committed',
      checkpoint: 7n,
    });
    const clean = await cleanBuild();
    expect(await contents(ref)).toEqual(clean);
    expect(await holder.readCheckpoint(ref)).toBe(7n);
    expect(await storedFence(ref)).toBe('2');

    // From now on the former holder is refused at its claim, before it sends any document.
    const sent = bulks.state.bulks;
    expect(
      await former.commit(ref, batch([put(order('a', 'lost', 1), 8n)], { from: 7n, to: 8n }, 1n)),
    ).toEqual({ kind: 'fenced', fence: 2n });
    expect(bulks.state.bulks).toBe(sent);
    expect(await contents(ref)).toEqual(clean);
  });

  it('the stale bulk lands after the new holder moved past its events: external versions refuse it', async () => {
    const ref = view('orders');
    const { stale, release } = await frozenFormerHolder(ref);
    expect(await holder.commit(ref, batch(STALE, { from: 2n, to: 4n }, 2n))).toEqual({
      kind: 'committed',
      checkpoint: 4n,
    });
    expect(await holder.commit(ref, batch(LATER, { from: 4n, to: 7n }, 2n))).toEqual({
      kind: 'committed',
      checkpoint: 7n,
    });
    const before = await contents(ref);
    release();
    expect(await stale).toEqual({ kind: 'fenced', fence: 2n });
    expect(await contents(ref)).toEqual(before);
    expect(before).toEqual(await cleanBuild());
    expect(await holder.readCheckpoint(ref)).toBe(7n);
    expect(await storedFence(ref)).toBe('2');
  });
});
