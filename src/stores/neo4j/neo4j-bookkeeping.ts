/**
 * Prism's own records in the graph database: the registry, generations, checkpoints and parked events are
 * nodes with reserved labels in the same database as the views, so a batch's writes, its parking records
 * and its checkpoint compare-and-set commit in ONE Neo4j transaction.
 *
 *   (:PrismProjection {name, activeGeneration, paused})
 *   (:PrismGeneration {id: "<projection>/<generation>", projection, generation, fingerprint, definition,
 *                      shape, status, createdAt, names})      definition/shape as JSON text
 *   (:PrismCheckpoint {id, projection, generation, position, fence})   fence: issue #15 (schema version 2)
 *   (:PrismParked     {id: "<projection>/<generation>/<position>", projection, generation, position, ...})
 *   (:PrismParked     {id: "<projection>/<generation>/<position>/resolution", resolution, checkpoint, ...})
 *                     a parked event an operator replayed or discarded (issue #12: verify redoes them)
 *   (:PrismSchema     {component: "bookkeeping", version})   the schema version (neo4j-schema.ts)
 *
 * The prefix (`Prism`) is configurable so tests can use a namespace of their own and remove it afterwards.
 */
import neo4j, { type Integer } from 'neo4j-driver';
import { checkedName } from './neo4j-names';

export interface BookkeepingLabels {
  readonly prefix: string;
  readonly projection: string;
  readonly generation: string;
  readonly checkpoint: string;
  readonly parked: string;
  readonly schema: string;
}

export const DEFAULT_BOOKKEEPING_PREFIX = 'Prism';

export function bookkeepingLabels(prefix = DEFAULT_BOOKKEEPING_PREFIX): BookkeepingLabels {
  checkedName('bookkeeping label prefix', prefix);
  return {
    prefix,
    projection: `${prefix}Projection`,
    generation: `${prefix}Generation`,
    checkpoint: `${prefix}Checkpoint`,
    parked: `${prefix}Parked`,
    schema: `${prefix}Schema`,
  };
}

/** Uniqueness constraints on the bookkeeping records' ids (CREATE ... IF NOT EXISTS: idempotent). */
export function bookkeepingConstraints(labels: BookkeepingLabels): string[] {
  const unique = (label: string, property: string) =>
    `CREATE CONSTRAINT \`${label.toLowerCase()}_${property}\` IF NOT EXISTS FOR (n:\`${label}\`) REQUIRE n.\`${property}\` IS UNIQUE`;
  return [
    unique(labels.projection, 'name'),
    unique(labels.generation, 'id'),
    unique(labels.checkpoint, 'id'),
    unique(labels.parked, 'id'),
  ];
}

/** Uniqueness of the schema version node (created before the version is read, see neo4j-schema.ts). */
export function schemaConstraint(labels: BookkeepingLabels): string {
  return `CREATE CONSTRAINT \`${labels.schema.toLowerCase()}_component\` IF NOT EXISTS FOR (n:\`${labels.schema}\`) REQUIRE n.\`component\` IS UNIQUE`;
}

export function bookkeepingDropStatements(labels: BookkeepingLabels): string[] {
  return [
    ...[
      [labels.projection, 'name'],
      [labels.generation, 'id'],
      [labels.checkpoint, 'id'],
      [labels.parked, 'id'],
      [labels.schema, 'component'],
    ].map(([label, property]) => `DROP CONSTRAINT \`${label!.toLowerCase()}_${property}\` IF EXISTS`),
    `MATCH (n) WHERE n:\`${labels.projection}\` OR n:\`${labels.generation}\` OR n:\`${labels.checkpoint}\` OR n:\`${labels.parked}\` OR n:\`${labels.schema}\` DETACH DELETE n`,
  ];
}

export const generationId = (projection: string, generation: number) => `${projection}/${generation}`;
export const parkedId = (projection: string, generation: number, position: bigint) =>
  `${projection}/${generation}/${position}`;
export const resolutionId = (projection: string, generation: number, position: bigint) =>
  `${parkedId(projection, generation, position)}/resolution`;

/** A bigint position as a Neo4j INTEGER (positions fit 64 bits). */
export function positionParam(position: bigint): Integer {
  return neo4j.int(position.toString());
}

/** Numbers the driver returns (Integer, bigint with useBigInt, or a plain number) as a bigint. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (neo4j.isInt(value)) return BigInt(value.toString());
  throw new TypeError(`expected an integer from Neo4j, got ${String(value)}`);
}

export function toNumber(value: unknown): number {
  return Number(toBigInt(value));
}
