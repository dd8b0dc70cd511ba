// Placeholder until the KurrentDB store lands on this branch.
import type { CoordinationStore } from '../coordination.port';

export function createKurrentDbCoordinationStore(_options: {
  readonly connectionString: string;
}): CoordinationStore {
  throw new Error('the KurrentDB coordination store is not implemented yet');
}
