/**
 * One `_bulk` of document writes with per-item outcomes, because Elasticsearch answers a bulk item by
 * item and a non-transactional target has to decide for each one:
 *  - 2xx: stored;
 *  - 409 version conflict: the document already carries this or a newer position (external versions),
 *    i.e. an earlier delivery already applied it: harmless, counted as stored;
 *  - 429, 5xx, es_rejected_execution_exception: the node is busy; only those items are sent again, with
 *    exponential backoff;
 *  - anything else (mapping and parsing errors): deterministic, returned as rejected so the caller can
 *    surface them as poison.
 * Items name a write alias, never an index, and the bulk requires it (`require_alias`): a write to a
 * dropped generation is a 404 item, not a re-created index (elasticsearch-write-aliases.ts).
 */
import { errors, type Client } from '@elastic/elasticsearch';
import type { JsonObject } from '../../core/json';
import { BulkRetriesExhaustedError } from './elasticsearch.errors';

export interface BulkItem {
  /** The view key, for error messages. */
  readonly key: string;
  /** The write alias of the index (`writeAliasOf`). */
  readonly index: string;
  readonly id: string;
  readonly version: number;
  readonly document: JsonObject;
}

export interface RejectedItem {
  readonly key: string;
  readonly status: number;
  readonly type: string;
  readonly reason: string;
}

export interface BulkOutcome {
  /** Items written now. */
  readonly written: number;
  /** Items refused because the stored document already has this or a newer position. */
  readonly alreadyApplied: number;
  /** Items refused deterministically (the rest of the bulk was stored). */
  readonly rejected: readonly RejectedItem[];
}

export interface BulkOptions {
  readonly refresh: boolean | 'wait_for';
  /** Attempts for retryable items and requests, including the first. Default 6. */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt (full jitter), capped at 5 s. Default 100 ms. */
  readonly initialBackoffMs?: number;
}

const RETRYABLE_TYPES = new Set(['es_rejected_execution_exception', 'circuit_breaking_exception']);
const RETRYABLE_REQUEST_STATUSES = new Set([429, 502, 503, 504]);

type ItemResult = { status: number; error?: { type?: string; reason?: string | null } };

export async function bulkWrite(
  client: Client,
  items: readonly BulkItem[],
  options: BulkOptions,
): Promise<BulkOutcome> {
  const maxAttempts = options.maxAttempts ?? 6;
  const initial = options.initialBackoffMs ?? 100;
  let pending = items;
  let written = 0;
  let alreadyApplied = 0;
  const rejected: RejectedItem[] = [];
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (attempt > 1) await delay(Math.floor(Math.random() * Math.min(5_000, initial * 2 ** (attempt - 2))));
    let results: ItemResult[];
    try {
      results = await sendBulk(client, pending, options.refresh);
    } catch (error) {
      const status = error instanceof errors.ResponseError ? error.statusCode : undefined;
      if (status !== undefined && RETRYABLE_REQUEST_STATUSES.has(status) && attempt < maxAttempts) continue;
      throw error;
    }
    const retry: BulkItem[] = [];
    let lastReason = '';
    results.forEach((result, i) => {
      const item = pending[i]!;
      if (result.status >= 200 && result.status < 300) written += 1;
      else if (result.status === 409) alreadyApplied += 1;
      else if (
        result.status === 429 ||
        result.status >= 500 ||
        RETRYABLE_TYPES.has(result.error?.type ?? '')
      ) {
        retry.push(item);
        lastReason = `${result.status} ${result.error?.type ?? ''}`;
      } else {
        rejected.push({
          key: item.key,
          status: result.status,
          type: result.error?.type ?? 'unknown',
          reason: result.error?.reason ?? 'no reason given',
        });
      }
    });
    if (retry.length > 0 && attempt >= maxAttempts) throw new BulkRetriesExhaustedError(attempt, lastReason);
    pending = retry;
  }
  return { written, alreadyApplied, rejected };
}

async function sendBulk(
  client: Client,
  items: readonly BulkItem[],
  refresh: BulkOptions['refresh'],
): Promise<ItemResult[]> {
  const operations: JsonObject[] = [];
  for (const item of items) {
    operations.push({
      index: { _index: item.index, _id: item.id, version: item.version, version_type: 'external' },
    });
    operations.push(item.document);
  }
  const response = await client.bulk({ operations, refresh, require_alias: true });
  return response.items.map((entry) => {
    const result = entry.index ?? entry.create ?? entry.update ?? entry.delete;
    return { status: result?.status ?? 500, error: result?.error ?? undefined };
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
