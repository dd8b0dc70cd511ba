import type { Client } from '@elastic/elasticsearch';
import { bulkWrite, type BulkItem } from './elasticsearch-bulk';
import { BulkRetriesExhaustedError } from './elasticsearch.errors';

/** A scripted `_bulk` endpoint: each call answers the statuses of the next script line, item by item. */
function scriptedClient(script: number[][]): { client: Client; sent: string[][] } {
  const sent: string[][] = [];
  const client = {
    bulk: ({ operations }: { operations: { index?: { _id: string } }[] }) => {
      const ids = operations.flatMap((operation) => (operation.index ? [operation.index._id] : []));
      sent.push(ids);
      const statuses = script.shift() ?? [];
      return Promise.resolve({
        items: ids.map((_, i) => {
          const status = statuses[i] ?? 201;
          const type =
            status === 429
              ? 'es_rejected_execution_exception'
              : status === 409
                ? 'version_conflict_engine_exception'
                : 'document_parsing_exception';
          return {
            index: { status, ...(status >= 300 ? { error: { type, reason: `failed ${status}` } } : {}) },
          };
        }),
      });
    },
  } as unknown as Client;
  return { client, sent };
}

const items = (n: number): BulkItem[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `k${i}`,
    index: 'i',
    id: `k${i}`,
    version: i + 1,
    document: { n: i },
  }));

describe('bulkWrite', () => {
  it('counts version conflicts as already applied, retries only busy items, returns deterministic rejections', async () => {
    const { client, sent } = scriptedClient([[201, 409, 429, 400, 503], [429, 200], [201]]);
    const outcome = await bulkWrite(client, items(5), { refresh: false, initialBackoffMs: 1 });
    expect(sent).toEqual([['k0', 'k1', 'k2', 'k3', 'k4'], ['k2', 'k4'], ['k2']]);
    expect(outcome.written).toBe(3);
    expect(outcome.alreadyApplied).toBe(1);
    expect(outcome.rejected).toEqual([
      { key: 'k3', status: 400, type: 'document_parsing_exception', reason: 'failed 400' },
    ]);
  });

  it('gives up after the configured attempts', async () => {
    const { client } = scriptedClient([[429], [429], [429]]);
    await expect(
      bulkWrite(client, items(1), { refresh: false, maxAttempts: 3, initialBackoffMs: 1 }),
    ).rejects.toThrow(BulkRetriesExhaustedError);
  });
});
