/**
 * Names Prism keeps for itself in each store (issue #12, items 2 and 8: `target.index: meta` and
 * `table: events` validated, then failed at start-up). A definition that validates must start, so a view
 * may not take one of these names. test/dsl/reserved-names.int.spec.ts lists what Prism really creates in
 * each store and asserts every one of them is refused here.
 */
import type { TargetDefinition } from '../model/definition.schema';
import type { Problems } from './problems';

/**
 * Relational views live in the same schema as the PostgreSQL event log (PRISM_PG_SCHEMA) and as
 * Prism's bookkeeping tables; in PostgreSQL tables, views, sequences and indexes share one namespace.
 */
const EVENT_LOG_RELATIONS = new Set([
  'events',
  'streams',
  'event_position_seq',
  'events_pkey',
  'events_id_key',
  'events_stream_id_revision_key',
  'events_stream_revision_key',
  'events_position_key',
  'events_type_position_idx',
  'events_type_position',
  'streams_pkey',
]);
/** Bookkeeping tables (`prism_projections`, `prism_checkpoints`, ...) and their indexes. */
const BOOKKEEPING_PREFIX = 'prism_';
/** Physical names are `<table>__g<N>` and `<table>__g<N>__ix<i>` (src/stores/relational/relational-shape.ts). */
const PHYSICAL_SEPARATOR = '__';
/** PostgreSQL's system columns: a table cannot declare them. */
const SYSTEM_COLUMNS = new Set(['tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid', 'oid']);

/** The Elasticsearch bookkeeping index is `<prefix>meta`, beside the aliases `<prefix><target.index>`. */
const ELASTICSEARCH_RESERVED_INDEXES = new Set(['meta']);

/** Neo4j bookkeeping labels: `PrismProjection`, `PrismGeneration`, `PrismCheckpoint`, `PrismParked`. */
const NEO4J_BOOKKEEPING_PREFIX = 'Prism';

/** Why `table` cannot name a relational view, or undefined when it can. */
export function reservedTableReason(table: string): string | undefined {
  if (EVENT_LOG_RELATIONS.has(table)) return 'the PostgreSQL event log uses it';
  if (table.startsWith(BOOKKEEPING_PREFIX))
    return `Prism's bookkeeping tables start with "${BOOKKEEPING_PREFIX}"`;
  if (table.includes(PHYSICAL_SEPARATOR))
    return `"${PHYSICAL_SEPARATOR}" separates a view from its generation in physical table names`;
  return undefined;
}

export function reservedIndexReason(index: string): string | undefined {
  return ELASTICSEARCH_RESERVED_INDEXES.has(index)
    ? "it is the name of Prism's bookkeeping index (registry, checkpoints, parked events)"
    : undefined;
}

export function reservedLabelReason(label: string): string | undefined {
  return label.startsWith(NEO4J_BOOKKEEPING_PREFIX)
    ? `labels starting with "${NEO4J_BOOKKEEPING_PREFIX}" are Prism's bookkeeping records`
    : undefined;
}

export function checkReservedNames(target: TargetDefinition | undefined, problems: Problems): void {
  if (!target) return;
  const refuse = (path: (string | number)[], name: string, reason: string, at: 'key' | 'value') =>
    problems.add('reserved-name', path, `"${name}" is reserved: ${reason}`, {
      at,
      suggestion: 'choose another name',
    });
  switch (target.kind) {
    case 'postgres': {
      const reason = reservedTableReason(target.table);
      if (reason) refuse(['target', 'table'], target.table, reason, 'value');
      for (const column of Object.keys(target.columns)) {
        if (SYSTEM_COLUMNS.has(column))
          refuse(['target', 'columns', column], column, 'it is a PostgreSQL system column', 'key');
      }
      return;
    }
    case 'elasticsearch': {
      const reason = reservedIndexReason(target.index);
      if (reason) refuse(['target', 'index'], target.index, reason, 'value');
      for (const field of Object.keys(target.fields)) {
        if (field.startsWith('_'))
          refuse(
            ['target', 'fields', field],
            field,
            "fields starting with _ are Elasticsearch's metadata fields and Prism's own (_prism_deleted)",
            'key',
          );
      }
      return;
    }
    case 'neo4j': {
      for (const label of Object.keys(target.nodes)) {
        const reason = reservedLabelReason(label);
        if (reason) refuse(['target', 'nodes', label], label, reason, 'key');
      }
      for (const type of Object.keys(target.relationships)) {
        if (type.includes(PHYSICAL_SEPARATOR))
          refuse(
            ['target', 'relationships', type],
            type,
            `"${PHYSICAL_SEPARATOR}" separates a type from its projection and generation in physical names`,
            'key',
          );
      }
      return;
    }
  }
}
