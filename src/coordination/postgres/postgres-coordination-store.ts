// Placeholder until the PostgreSQL store lands on this branch (next commit).
import type { Pool } from 'pg';
import type { ConnectionLogger } from '../../core/connection-watch';
import type { CoordinationStore } from '../coordination.port';

export interface PostgresCoordinationOptions {
  readonly pool?: Pool;
  readonly url?: string;
  readonly schema: string;
  readonly logger?: ConnectionLogger;
}

export function createPostgresCoordinationStore(_options: PostgresCoordinationOptions): CoordinationStore {
  throw new Error('the PostgreSQL coordination store is not implemented yet');
}
