/**
 * The PostgreSQL coordination tables, created idempotently in one schema (the relational view store's,
 * where the checkpoints are, or the event store's):
 *
 * prism_leases          one row per resource (a projection, later `name#segment`): holder, epoch (the
 *                       fencing token, +1 on every acquisition), and acquired/renewed/expires times, all
 *                       from the database clock. Rows are never deleted: a released or lapsed lease keeps
 *                       its epoch, so the next holder's is higher.
 * prism_nodes           one row per announced node, with its definitions' fingerprints and its status
 *                       report; alive while expires_at is in the future (database clock).
 * prism_admin_requests  operators' requests, run by the projection's owner: pending -> running -> done/failed.
 */
import { InvalidCoordinationSchemaError } from '../coordination.errors';

/** Schema names are interpolated into SQL, so they are restricted to plain lowercase identifiers. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Advisory lock class (first key of the two-key form; the second is hashtext(schema)) that serializes
 * creating these tables. Its own class: the event store's are 'PRM1' (schema) and 'PRM2' (positions).
 * No advisory lock decides anything else here: leases are rows that expire on the database clock.
 */
const INIT_LOCK_CLASS = 0x50524d33; // 'PRM3'

export interface CoordinationTables {
  readonly schema: string;
  readonly leases: string;
  readonly nodes: string;
  readonly requests: string;
}

export function coordinationTables(schema: string): CoordinationTables {
  if (!SCHEMA_NAME.test(schema)) throw new InvalidCoordinationSchemaError(schema);
  const q = `"${schema}"`;
  return {
    schema,
    leases: `${q}.prism_leases`,
    nodes: `${q}.prism_nodes`,
    requests: `${q}.prism_admin_requests`,
  };
}

/** True when every table already exists (then no DDL, and no CREATE privilege, is needed). */
export function tablesExistSql(tables: CoordinationTables): string {
  return `SELECT to_regclass('${tables.leases}') IS NOT NULL
    AND to_regclass('${tables.nodes}') IS NOT NULL
    AND to_regclass('${tables.requests}') IS NOT NULL AS ready`;
}

/** One transaction of idempotent DDL, serialized by an advisory lock so concurrent first uses do not race. */
export function createTablesSql(tables: CoordinationTables): string {
  const { schema } = tables;
  return `
BEGIN;
SELECT pg_advisory_xact_lock(${INIT_LOCK_CLASS}, hashtext('${schema}'));
CREATE SCHEMA IF NOT EXISTS "${schema}";
CREATE TABLE IF NOT EXISTS ${tables.leases} (
  resource text COLLATE "C" PRIMARY KEY,
  holder text NOT NULL,
  epoch bigint NOT NULL,
  acquired_at timestamptz NOT NULL,
  renewed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS ${tables.nodes} (
  id text COLLATE "C" PRIMARY KEY,
  role text NOT NULL,
  version text NOT NULL,
  definitions jsonb NOT NULL,
  report jsonb,
  started_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS ${tables.requests} (
  id text COLLATE "C" PRIMARY KEY,
  projection text NOT NULL,
  action text NOT NULL,
  args jsonb NOT NULL,
  from_node text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  requested_at timestamptz NOT NULL,
  run_by text,
  outcome jsonb,
  completed_at timestamptz
);
CREATE INDEX IF NOT EXISTS prism_admin_requests_pending_idx
  ON ${tables.requests} (projection, requested_at) WHERE status = 'pending';
COMMIT;`;
}

/**
 * SQLSTATEs of a CREATE ... IF NOT EXISTS that lost a race to a creator not holding our lock (another
 * Prism component creating the same schema): unique violation in the catalog, duplicate schema or table.
 * Running the DDL again then finds the object and succeeds.
 */
export function isCreationRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === '42P06' || code === '42P07';
}
