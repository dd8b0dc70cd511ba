/**
 * Prism's own tables in the target database, beside the views they describe, so that a view's rows,
 * its checkpoint and its parked events commit in one transaction:
 *
 *   prism_projections    one row per projection: the active generation readers see, paused or not
 *   prism_generations    one row per generation: fingerprint, definition model, shape, status
 *   prism_checkpoints    one row per generation: the last log position applied (compare-and-set), and
 *                        its fence (issue #15; added by migration 2 in relational-schema.ts, as these
 *                        tables are the layout of version 1)
 *   prism_parked_events  events parked (poison) or held behind a parked one, per generation
 *   prism_parking_resolutions  parked events an operator replayed or discarded, and at which checkpoint
 *                        (issue #12: `verify` redoes them to rebuild what the live view holds)
 */
import { Table } from 'typeorm';
import type { BookkeepingColumnType, RelationalDialect } from './relational-dialect';

export const PROJECTIONS_TABLE = 'prism_projections';
export const GENERATIONS_TABLE = 'prism_generations';
export const CHECKPOINTS_TABLE = 'prism_checkpoints';
export const PARKED_TABLE = 'prism_parked_events';
export const RESOLUTIONS_TABLE = 'prism_parking_resolutions';

type ColumnSpec = readonly [name: string, type: BookkeepingColumnType, nullable?: boolean];

function table(
  dialect: RelationalDialect,
  name: string,
  columns: readonly ColumnSpec[],
  primary: readonly string[],
): Table {
  return new Table({
    name: dialect.tablePath(name),
    columns: columns.map(([column, type, nullable]) => ({
      name: column,
      type: dialect.bookkeepingType(type),
      isPrimary: primary.includes(column),
      isNullable: nullable === true,
    })),
  });
}

export function bookkeepingTables(dialect: RelationalDialect): Table[] {
  return [
    table(
      dialect,
      PROJECTIONS_TABLE,
      [
        ['name', 'text'],
        ['active_generation', 'integer', true],
        ['paused', 'boolean'],
        ['updated_at', 'time'],
      ],
      ['name'],
    ),
    table(
      dialect,
      GENERATIONS_TABLE,
      [
        ['projection', 'text'],
        ['generation', 'integer'],
        ['fingerprint', 'text'],
        // The stable name readers query; no two projections may claim the same one.
        ['view_name', 'text'],
        ['definition', 'json', true],
        ['shape', 'json'],
        ['status', 'text'],
        ['created_at', 'time'],
      ],
      ['projection', 'generation'],
    ),
    table(
      dialect,
      CHECKPOINTS_TABLE,
      [
        ['projection', 'text'],
        ['generation', 'integer'],
        ['position', 'bigint'],
        ['updated_at', 'time'],
      ],
      ['projection', 'generation'],
    ),
    table(
      dialect,
      PARKED_TABLE,
      [
        ['projection', 'text'],
        ['generation', 'integer'],
        ['position', 'bigint'],
        ['stream_id', 'text'],
        ['event_type', 'text'],
        ['event', 'json'],
        ['keys', 'json'],
        ['reason', 'text'],
        ['status', 'text'],
        ['parked_at', 'time'],
      ],
      ['projection', 'generation', 'position'],
    ),
    table(
      dialect,
      RESOLUTIONS_TABLE,
      [
        ['projection', 'text'],
        ['generation', 'integer'],
        ['position', 'bigint'],
        ['action', 'text'],
        ['checkpoint', 'bigint'],
        ['resolved_at', 'time'],
      ],
      ['projection', 'generation', 'position'],
    ),
  ];
}
