/**
 * What a crash run of customer_stats (kill target `postgres-lookups`, kill-targets.ts) left in its
 * schema: the rows readers see, the active generation's lookup entries (its `__lk` table, read back as
 * the runtime reads it), the generations in the registry and the schema's customer_stats tables.
 */
import { Client } from 'pg';
import { RelationalTarget } from '../../../src/stores/relational/relational.target';
import {
  byCustomer,
  byText,
  CUSTOMER_STATS,
  type CustomerStatsContent,
  type LookupDump,
} from '../fixtures/customer-stats.fixture';
import type { GenerationLine } from './kill-harness';

export interface CustomerStatsView extends CustomerStatsContent {
  /** null when no generation is active (a run that never got that far). */
  readonly activeGeneration: number | null;
  readonly generations: GenerationLine[];
  /** The schema's customer_stats tables and views: the read name, each generation's and its lookups'. */
  readonly tables: string[];
}

export async function readCustomerStats(url: string, schema: string): Promise<CustomerStatsView> {
  const target = await RelationalTarget.connect({ kind: 'postgres', url, schema, poolSize: 3 });
  try {
    const activeGeneration = (await target.readProjection(CUSTOMER_STATS))?.activeGeneration ?? null;
    const records = await target.listGenerations(CUSTOMER_STATS);
    const active = records.find((record) => record.generation === activeGeneration);
    let content: CustomerStatsContent = { rows: [], lookups: {} };
    if (active !== undefined) {
      const rows = await target.readActive(active.shape);
      const stored = await target.scanLookups(active);
      const lookups: LookupDump = {};
      for (const [lookup, entries] of stored) {
        if (entries.size === 0) continue;
        lookups[lookup] = Object.fromEntries(
          [...entries.keys()].sort(byText).map((key) => {
            const entry = entries.get(key)!;
            return [key, { value: entry.value, position: String(entry.position) }];
          }),
        );
      }
      content = {
        rows: byCustomer(rows),
        lookups,
      };
    }
    return {
      ...content,
      activeGeneration,
      generations: records.map((g) => ({ generation: g.generation, status: g.status })),
      tables: await customerStatsTables(url, schema),
    };
  } finally {
    await target.close();
  }
}

async function customerStatsTables(url: string, schema: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE $2 ORDER BY 1`,
      [schema, `${CUSTOMER_STATS}%`],
    );
    return result.rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}
