/**
 * The coordination tables' rows as pg returns them, and the port's records made from them. Epochs travel as
 * text (`epoch::text`): a JavaScript number would lose precision past 2^53.
 */
import type {
  AdminAction,
  AdminRequestRecord,
  AdminRequestStatus,
  LeaseRecord,
  NodeRecord,
  PrismRole,
} from '../coordination.port';

export interface LeaseRow {
  readonly resource: string;
  readonly holder: string;
  readonly epoch: string;
  readonly acquired_at: Date;
  readonly renewed_at: Date;
  readonly expires_at: Date;
  readonly expired: boolean;
}

export interface NodeRow {
  readonly id: string;
  readonly role: PrismRole;
  readonly version: string;
  readonly definitions: Record<string, string>;
  readonly report: unknown;
  readonly started_at: Date;
  readonly heartbeat_at: Date;
  readonly alive: boolean;
}

export interface RequestRow {
  readonly id: string;
  readonly projection: string;
  readonly action: AdminAction;
  readonly args: Record<string, string>;
  readonly from_node: string;
  readonly status: AdminRequestStatus;
  readonly requested_at: Date;
  readonly run_by: string | null;
  readonly outcome: unknown;
  readonly completed_at: Date | null;
}

export const REQUEST_COLUMNS =
  'id, projection, action, args, from_node, status, requested_at, run_by, outcome, completed_at';

export function toLeaseRecord(row: LeaseRow): LeaseRecord {
  return {
    resource: row.resource,
    holder: row.holder,
    epoch: BigInt(row.epoch),
    acquiredAt: row.acquired_at,
    renewedAt: row.renewed_at,
    expiresAt: row.expires_at,
    expired: row.expired,
  };
}

export function toNodeRecord(row: NodeRow): NodeRecord {
  return {
    id: row.id,
    role: row.role,
    version: row.version,
    definitions: row.definitions,
    report: row.report,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    alive: row.alive,
  };
}

/** Values go to jsonb as JSON text (pg would send a JS array as a PostgreSQL array). */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function toRequest(row: RequestRow): AdminRequestRecord {
  return {
    id: row.id,
    projection: row.projection,
    action: row.action,
    args: row.args,
    from: row.from_node,
    status: row.status,
    requestedAt: row.requested_at,
    runBy: row.run_by,
    outcome: row.outcome,
    completedAt: row.completed_at,
  };
}
