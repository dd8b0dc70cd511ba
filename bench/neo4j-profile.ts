/**
 * PROFILE of the statements the Neo4j target writes for one batch of the reference workload (issue #17):
 * fills a purchase_graph generation with `--orders` orders through the target (batch by batch, as the
 * benchmark does), then runs the next batch's statements one by one under `PROFILE` in one transaction
 * and prints, per statement, its Cypher, its rows, its time and its plan (operator, rows, db hits).
 *
 *   npx tsx bench/neo4j-profile.ts [--orders 5000] [--batch 2000] [--seed 42]
 *
 * PRISM_NEO4J_URL names the server (default bolt://127.0.0.1:7697, no auth). Everything it writes is
 * removed afterwards.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import neo4j, { type ProfiledPlan } from 'neo4j-driver';
import type { ViewOperation } from '../src/core/plan';
import { compileYamlDefinition } from '../src/dsl';
import type { StoredEvent } from '../src/eventstore/event-store.port';
import { GraphStatementBuilder } from '../src/stores/neo4j/graph-statement-builder';
import { bookkeepingDropStatements } from '../src/stores/neo4j/neo4j-bookkeeping';
import { graphShape, keyConstraintName, physicalName } from '../src/stores/neo4j/neo4j-names';
import { Neo4jTarget } from '../src/stores/neo4j/neo4j.target';
import { arg } from './cli-args';
import { sequential } from './workload';

const ORDERS = Number(arg('orders', '5000'));
const BATCH = Number(arg('batch', '2000'));
const SEED = Number(arg('seed', '42'));

function events(count: number): StoredEvent[] {
  const all: StoredEvent[] = [];
  for (const append of sequential(count, SEED)) {
    for (const [revision, event] of append.events.entries()) {
      const position = BigInt(all.length + 1);
      all.push({
        id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
        streamId: append.streamId,
        revision,
        position,
        type: event.type,
        data: event.data,
        metadata: { timestamp: '2024-01-01T00:00:00.000Z', schemaVersion: 1 },
      });
    }
  }
  return all;
}

/** One line per operator, children indented: `Operator  rows=…  dbHits=…  (details)`. */
function planLines(plan: ProfiledPlan, depth = 0): string[] {
  const details = plan.arguments.Details;
  const line =
    `${'  '.repeat(depth)}${plan.operatorType.replace(/@.*$/, '')}  rows=${plan.rows}  dbHits=${plan.dbHits}` +
    (typeof details === 'string' ? `  (${details.slice(0, 110)})` : '');
  return [line, ...plan.children.flatMap((child) => planLines(child, depth + 1))];
}

function totalHits(plan: ProfiledPlan): number {
  return plan.dbHits + plan.children.reduce((sum, child) => sum + totalHits(child), 0);
}

async function main(): Promise<void> {
  const url = process.env.PRISM_NEO4J_URL ?? 'bolt://127.0.0.1:7697';
  const run = Date.now().toString(36);
  const projection = `profile_purchase_${run}`;
  const text = readFileSync(path.resolve(__dirname, '../projections/purchase-graph.yaml'), 'utf8');
  const plan = compileYamlDefinition(text.replace(/^name: .*$/m, `name: ${projection}`));
  const shape = graphShape(projection, plan.target);
  const driver = neo4j.driver(url);
  const target = new Neo4jTarget(driver, { bookkeepingPrefix: `PrismProfile${run}` });
  const view = { projection, generation: 1, shape };
  const operationsOf = (batch: readonly StoredEvent[]) =>
    batch.flatMap((event): ViewOperation[] => [...plan.apply(event, new Map())]);
  try {
    await target.initialize();
    await target.prepare({ ...view, fingerprint: plan.fingerprint, definition: null });
    const log = events(ORDERS);
    const fill = log.slice(0, Math.max(0, log.length - BATCH));
    let checkpoint = 0n;
    for (let at = 0; at < fill.length; at += BATCH) {
      const batch = fill.slice(at, at + BATCH);
      const to = batch[batch.length - 1]!.position;
      const result = await target.commit(view, {
        operations: operationsOf(batch),
        checkpoint: { from: checkpoint, to },
      });
      if (result.kind !== 'committed') throw new Error(`fill: ${result.kind}`);
      checkpoint = to;
    }
    const last = log.slice(fill.length);
    console.log(
      `graph filled with ${fill.length} events; profiling the next batch of ${last.length} events (${url})`,
    );
    const graph = new GraphStatementBuilder(projection, 1, shape).prepare(operationsOf(last));
    const session = driver.session();
    try {
      await session.executeWrite((tx) =>
        graph.write(
          async (cypher, parameters) => {
            const started = performance.now();
            const result = await tx.run(`PROFILE ${cypher}`, parameters);
            const ms = performance.now() - started;
            const profile = result.summary.profile;
            const rows = Object.values(parameters).reduce<number>(
              (sum, value) => sum + (Array.isArray(value) ? value.length : 0),
              0,
            );
            console.log(`\n${cypher}`);
            if (profile !== false) {
              console.log(`  ${rows} rows, ${ms.toFixed(0)} ms, ${totalHits(profile)} db hits in total`);
              for (const line of planLines(profile)) console.log(`  ${line}`);
            }
            return result;
          },
          { pipeline: false },
        ),
      );
    } finally {
      await session.close();
    }
  } finally {
    for (const label of Object.keys(shape.nodes)) {
      const physical = physicalName(label, projection, 1);
      for (;;) {
        const result = await driver.executeQuery(
          `MATCH (n:\`${physical}\`) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n`,
        );
        if (neo4j.integer.toNumber(result.records[0]!.get('n')) === 0) break;
      }
      await driver.executeQuery(`DROP CONSTRAINT \`${keyConstraintName(label, projection, 1)}\` IF EXISTS`);
    }
    for (const statement of bookkeepingDropStatements(target.labels)) await driver.executeQuery(statement);
    await driver.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
