/**
 * Checks a mapping against the database's catalog on first use: the source exists and is readable, every
 * mapped column exists with a type Prism can read, the position is unique (tables), and the chosen gap
 * safety can work on this source (writer-locks needs the tables writers insert into, and a sequence that
 * hands out positions in time order). Every problem is collected and reported at once, with its fix.
 */
import {
  formatQualifiedName,
  parseQualifiedName,
  quoteQualifiedName,
  type QualifiedName,
} from './sql-identifiers';
import {
  SqlLogMappingError,
  type GapSafety,
  type MappedColumn,
  type SqlTableMapping,
} from './sql-log-mapping';

/**
 * What the table log needs of a connection pool: a pg `Pool` fits (and is what it is given), stated here
 * without pg's types so the package's declarations do not need @types/pg.
 */
export interface SqlLogPool {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's own row type is an index of any
  query<Row extends { [column: string]: any }>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

/** A mapped column as the catalog describes it. */
export interface CatalogColumn {
  readonly name: string;
  readonly attnum: number;
  /** pg_type.typname of the column's type (of the base type for a domain), e.g. `int8`, `jsonb`. */
  readonly type: string;
  /** pg_type.typcategory: S string, N numeric, D date/time, U user-defined (json/jsonb), ... */
  readonly category: string;
}

export type SourceKind = 'table' | 'partitioned table' | 'view' | 'materialized view' | 'foreign table';

/** The source as found in the catalog: what the queries and the gap safety are built from. */
export interface ResolvedSource {
  /** Schema and name as stored in the catalog (the canonical name, e.g. for derived event ids). */
  readonly relation: QualifiedName;
  readonly quoted: string;
  readonly kind: SourceKind;
  readonly columns: Readonly<Partial<Record<MappedColumn, CatalogColumn>>>;
  /** writer-locks: the OIDs of the tables whose writers the reader waits for. */
  readonly writerTables: readonly number[];
}

const KINDS: Record<string, SourceKind> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

const INTEGER_TYPES = ['int2', 'int4', 'int8', 'numeric'];
const JSON_TYPES = ['json', 'jsonb'];
const TIME_TYPES = ['timestamptz', 'timestamp', 'date'];

interface RelationRow {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly relkind: string;
  readonly columns: CatalogColumn[] | null;
}

const RELATION_SQL = `
SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
  (SELECT json_agg(json_build_object(
      'name', a.attname, 'attnum', a.attnum,
      'type', coalesce(base.typname, t.typname), 'category', coalesce(base.typcategory, t.typcategory)::text)
    ORDER BY a.attnum)
   FROM pg_attribute a
   JOIN pg_type t ON t.oid = a.atttypid
   LEFT JOIN pg_type base ON t.typtype = 'd' AND base.oid = t.typbasetype
   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = to_regclass($1)`;

/** Names that differ only in case: the usual cause of "not found" (PostgreSQL folds unquoted names). */
const SIMILAR_SQL = `
SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE lower(c.relname) = lower($1) AND ($2::text IS NULL OR lower(n.nspname) = lower($2))
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') LIMIT 3`;

/** Whether a single-column unique index (or primary key) covers the column. */
const UNIQUE_SQL = `
SELECT EXISTS (SELECT 1 FROM pg_index i
  WHERE i.indrelid = $1 AND i.indisunique AND i.indnkeyatts = 1 AND i.indkey[0] = $2 AND i.indpred IS NULL) AS unique`;

/** The largest CACHE of the sequences the column's default or identity draws from (1 when none). */
const SEQUENCE_CACHE_SQL = `
SELECT coalesce(max(s.seqcache), 1)::int AS cache, string_agg(s.seqrelid::regclass::text, ', ') AS sequences
FROM pg_sequence s
WHERE s.seqrelid IN (
  SELECT d.refobjid FROM pg_attrdef ad
  JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
  WHERE ad.adrelid = $1 AND ad.adnum = $2
  UNION
  SELECT d.objid FROM pg_depend d
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
    AND d.refobjid = $1 AND d.refobjsubid = $2 AND d.deptype IN ('a', 'i'))`;

export async function resolveSource(
  db: SqlLogPool,
  mapping: SqlTableMapping,
  gapSafety: GapSafety,
): Promise<ResolvedSource> {
  const problems: string[] = [];
  const name = parseQualifiedName(mapping.table)!;
  const relation = await findRelation(db, name, problems);
  if (relation === undefined) throw new SqlLogMappingError(mapping.table, problems);

  const kind = KINDS[relation.relkind];
  if (kind === undefined) {
    throw new SqlLogMappingError(mapping.table, [
      `table: "${mapping.table}" is not a table or view (relkind ${relation.relkind})`,
    ]);
  }
  const columns = mappedColumns(mapping, relation.columns ?? [], problems);
  // A partitioned table cannot have a unique index on the position alone (it must hold the partition key);
  // there, as in a view, unique positions are the writer's promise (README.md, "What the table must be").
  if (kind === 'table' && columns.position !== undefined) {
    const unique = await db.query<{ unique: boolean }>(UNIQUE_SQL, [relation.oid, columns.position.attnum]);
    if (unique.rows[0]?.unique !== true) {
      problems.push(
        `position: "${columns.position.name}" has no unique index or primary key of its own. Prism reads the ` +
          'log in pages of "position greater than the last one read", so positions must be unique, and an index ' +
          `makes those reads fast: CREATE UNIQUE INDEX ON ${quoteQualifiedName(name)} ("${columns.position.name}")`,
      );
    }
  }
  const writerTables = await writerTablesOf(db, mapping, gapSafety, relation, kind, columns, problems);
  if (problems.length > 0) throw new SqlLogMappingError(mapping.table, problems);
  const canonical = { schema: relation.schema, name: relation.name };
  return {
    relation: canonical,
    quoted: quoteQualifiedName(canonical),
    kind,
    columns,
    writerTables,
  };
}

async function findRelation(
  db: SqlLogPool,
  name: QualifiedName,
  problems: string[],
): Promise<RelationRow | undefined> {
  const found = await db.query<RelationRow>(RELATION_SQL, [quoteQualifiedName(name)]);
  const relation = found.rows[0];
  if (relation !== undefined) return relation;
  const similar = await db.query<{ schema: string; name: string }>(SIMILAR_SQL, [
    name.name,
    name.schema ?? null,
  ]);
  const hint =
    similar.rows.length > 0
      ? ` Names are case-sensitive; did you mean ${similar.rows.map((row) => formatQualifiedName(row)).join(' or ')}?`
      : ' Check the name and its schema, and that this user may use the schema and SELECT the table.';
  problems.push(`table: no table or view "${formatQualifiedName(name)}" is visible to this user.${hint}`);
  return undefined;
}

const EXPECTED_TYPES: Partial<
  Record<MappedColumn, { accepts(column: CatalogColumn): boolean; wanted: string }>
> = {
  position: { accepts: (c) => INTEGER_TYPES.includes(c.type), wanted: 'an integer type (bigint, integer)' },
  revision: { accepts: (c) => INTEGER_TYPES.includes(c.type), wanted: 'an integer type (bigint, integer)' },
  data: { accepts: isJsonOrText, wanted: 'jsonb, json or text' },
  metadata: { accepts: isJsonOrText, wanted: 'jsonb, json or text' },
  timestamp: {
    accepts: (c) => TIME_TYPES.includes(c.type) || c.category === 'S',
    wanted: 'timestamptz, timestamp, date or text',
  },
};

function isJsonOrText(column: CatalogColumn): boolean {
  return JSON_TYPES.includes(column.type) || column.category === 'S';
}

function mappedColumns(
  mapping: SqlTableMapping,
  available: readonly CatalogColumn[],
  problems: string[],
): Partial<Record<MappedColumn, CatalogColumn>> {
  const roles: MappedColumn[] = [
    'position',
    'streamId',
    'type',
    'data',
    'metadata',
    'timestamp',
    'eventId',
    'revision',
  ];
  const columns: Partial<Record<MappedColumn, CatalogColumn>> = {};
  for (const role of roles) {
    const wanted = mapping[role];
    if (wanted === undefined) continue;
    const column = available.find((candidate) => candidate.name === wanted);
    if (column === undefined) {
      const folded = available.find((candidate) => candidate.name.toLowerCase() === wanted.toLowerCase());
      problems.push(
        `${role}: "${mapping.table}" has no column "${wanted}"` +
          (folded !== undefined
            ? ` (names are case-sensitive; did you mean "${folded.name}"?)`
            : `; its columns are ${available.map((c) => c.name).join(', ')}`),
      );
      continue;
    }
    const expected = EXPECTED_TYPES[role];
    if (expected !== undefined && !expected.accepts(column)) {
      problems.push(
        `${role}: column "${column.name}" is of type ${column.type}; expected ${expected.wanted}`,
      );
      continue;
    }
    columns[role] = column;
  }
  return columns;
}

async function writerTablesOf(
  db: SqlLogPool,
  mapping: SqlTableMapping,
  gapSafety: GapSafety,
  relation: RelationRow,
  kind: SourceKind,
  columns: Partial<Record<MappedColumn, CatalogColumn>>,
  problems: string[],
): Promise<number[]> {
  if (gapSafety.mode !== 'writer-locks') return [];
  if (kind === 'foreign table') {
    problems.push(
      `gapSafety: "${mapping.table}" is a foreign table; the writers' locks are on the remote server, where ` +
        'writer-locks cannot see them. Choose delay (or commit-ordered if the writer guarantees it).',
    );
    return [];
  }
  const named = gapSafety.writerTables ?? [];
  if (named.length === 0) {
    if (kind === 'table' || kind === 'partitioned table') {
      await checkSequenceCache(db, relation.oid, columns.position, problems);
      return [relation.oid];
    }
    problems.push(
      `gapSafety: "${mapping.table}" is a ${kind}; writer-locks waits for the transactions writing to the ` +
        'tables behind it, so name them in writerTables (PRISM_SQL_LOG_WRITER_TABLES), or choose delay.',
    );
    return [];
  }
  const oids: number[] = [];
  for (const table of named) {
    const found = await db.query<RelationRow>(RELATION_SQL, [quoteQualifiedName(parseQualifiedName(table)!)]);
    const row = found.rows[0];
    if (row === undefined) {
      problems.push(`gapSafety.writerTables: no table "${table}" is visible to this user`);
    } else if (row.relkind !== 'r' && row.relkind !== 'p') {
      problems.push(
        `gapSafety.writerTables: "${table}" is a ${KINDS[row.relkind] ?? 'relation'}, not a table`,
      );
    } else {
      oids.push(row.oid);
    }
  }
  return oids;
}

/**
 * writer-locks relies on positions being handed out in time order. A sequence with CACHE n > 1 gives each
 * session n values ahead, so a session can insert a low cached value long after others committed higher
 * ones, while holding no lock the reader could have seen.
 */
async function checkSequenceCache(
  db: SqlLogPool,
  oid: number,
  position: CatalogColumn | undefined,
  problems: string[],
): Promise<void> {
  if (position === undefined) return;
  const result = await db.query<{ cache: number; sequences: string | null }>(SEQUENCE_CACHE_SQL, [
    oid,
    position.attnum,
  ]);
  const row = result.rows[0];
  if (row !== undefined && row.cache > 1) {
    problems.push(
      `gapSafety: the sequence ${row.sequences ?? ''} behind "${position.name}" caches ${row.cache} values per ` +
        'session (CACHE > 1), so positions are not handed out in time order and writer-locks cannot be safe. ' +
        `Set ALTER SEQUENCE ${row.sequences ?? '<sequence>'} CACHE 1, or choose delay.`,
    );
  }
}
