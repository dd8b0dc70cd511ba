/**
 * Helpers for the Neo4j target's and the graph query API's tests (not used in production code): events
 * for the example graph projections, compiling them from projections/*.yaml, reading a generation's graph
 * back, and removing everything a test created.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';
import type { JsonObject } from '../../core/json';
import type { CompiledProjection, ViewOperation } from '../../core/plan';
import type { Neo4jTargetShape } from './neo4j-view-shape';
import type { StoredEvent } from '../../eventstore/event-store.port';
import { compileYamlDefinition } from '../../dsl';
import { bookkeepingDropStatements, type BookkeepingLabels } from './neo4j-bookkeeping';
import { keyConstraintName, physicalName, propertyIndexName } from './neo4j-names';

/** Compiles projections/<file>.yaml under another projection name (tests share one Neo4j database). */
export function exampleProjection(file: string, name: string): CompiledProjection {
  const text = readFileSync(path.resolve(__dirname, '../../../projections', `${file}.yaml`), 'utf8');
  return compileYamlDefinition(text.replace(/^name: .*$/m, `name: ${name}`), `${file}.yaml`);
}

export class EventLog {
  private position = 0n;
  readonly events: StoredEvent[] = [];

  add(type: string, streamId: string, data: JsonObject, timestamp = '2024-05-01T10:00:00.000Z'): StoredEvent {
    this.position += 1n;
    const event: StoredEvent = {
      id: `00000000-0000-4000-8000-${this.position.toString().padStart(12, '0')}`,
      streamId,
      revision: 0,
      position: this.position,
      type,
      data,
      metadata: { timestamp, schemaVersion: 1 },
    };
    this.events.push(event);
    return event;
  }
}

/** The operations a batch of events produces (graph plans read no state). */
export function operationsOf(plan: CompiledProjection, events: readonly StoredEvent[]): ViewOperation[] {
  return events.flatMap((event) => [...plan.apply(event, new Map())]);
}

export interface GraphSnapshot {
  readonly nodes: string[];
  readonly relationships: string[];
}

/** A generation's graph as sorted lines (`Label:key {props}`, `Label:key -TYPE {props}-> Label:key`). */
export async function snapshot(
  driver: Driver,
  shape: Neo4jTargetShape,
  projection: string,
  generation: number,
): Promise<GraphSnapshot> {
  const nodes: string[] = [];
  const relationships: string[] = [];
  const text = (properties: Record<string, unknown>) =>
    JSON.stringify(
      Object.fromEntries(
        Object.entries(properties)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [
            k,
            neo4j.isInt(v)
              ? `int:${v.toString()}`
              : v !== null && typeof v === 'object'
                ? (v as { toString(): string }).toString()
                : v,
          ]),
      ),
    );
  for (const [label, node] of Object.entries(shape.nodes)) {
    const result = await driver.executeQuery(
      `MATCH (n:\`${physicalName(label, projection, generation)}\`) RETURN n.\`${node.key}\` AS key, properties(n) AS p`,
    );
    for (const record of result.records) {
      const properties = { ...(record.get('p') as Record<string, unknown>) };
      delete properties[node.key];
      nodes.push(`${label}:${String(record.get('key'))} ${text(properties)}`);
    }
  }
  for (const [type, relationship] of Object.entries(shape.relationships)) {
    const from = shape.nodes[relationship.from]!;
    const to = shape.nodes[relationship.to]!;
    const result = await driver.executeQuery(
      `MATCH (a)-[r:\`${physicalName(type, projection, generation)}\`]->(b) ` +
        `RETURN a.\`${from.key}\` AS a, b.\`${to.key}\` AS b, properties(r) AS p`,
    );
    for (const record of result.records) {
      relationships.push(
        `${relationship.from}:${String(record.get('a'))} -${type} ${text(record.get('p') as Record<string, unknown>)}-> ${relationship.to}:${String(record.get('b'))}`,
      );
    }
  }
  return { nodes: nodes.sort(), relationships: relationships.sort() };
}

/** Removes a test's generations' nodes and constraints, and its bookkeeping namespace. */
export async function cleanUp(
  driver: Driver,
  labels: BookkeepingLabels,
  views: readonly { projection: string; generations: readonly number[]; shape: Neo4jTargetShape }[],
): Promise<void> {
  for (const view of views) {
    for (const generation of view.generations) {
      for (const [name, node] of Object.entries(view.shape.nodes)) {
        await driver.executeQuery(
          `MATCH (n:\`${physicalName(name, view.projection, generation)}\`) DETACH DELETE n`,
        );
        await driver.executeQuery(
          `DROP CONSTRAINT \`${keyConstraintName(name, view.projection, generation)}\` IF EXISTS`,
        );
        for (const property of node.indexes ?? []) {
          const index = propertyIndexName(name, property, view.projection, generation);
          await driver.executeQuery(`DROP INDEX \`${index}\` IF EXISTS`);
        }
      }
    }
  }
  for (const statement of bookkeepingDropStatements(labels)) await driver.executeQuery(statement);
}
