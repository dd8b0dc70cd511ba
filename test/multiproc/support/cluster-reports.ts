/** What the cluster's admin API answers, as the multi-process tests read it, and how they judge it. */
import type { LeaseRow } from './cluster';

export interface ProjectionJson {
  readonly name: string;
  readonly state: string;
  readonly live: { generation: number; fingerprint: string; checkpoint: string } | null;
  readonly rebuild: { generation: number; checkpoint: string } | null;
}

export interface VerifyJson {
  readonly generation?: number;
  readonly checkpoint?: string;
  readonly eventsFolded?: number;
  readonly counts?: Record<string, number>;
  readonly total?: number;
  readonly liveEntries?: number;
  readonly error?: string;
}

export interface VerifyOutcome extends VerifyJson {
  readonly projection: string;
  readonly status: number;
}

/** True when the verification ran and found no difference. */
export function verifiedClean(outcome: VerifyOutcome): boolean {
  return outcome.status === 200 && outcome.total === 0;
}

export function describeLeases(leases: readonly LeaseRow[]): string {
  return leases
    .map((lease) => `${lease.resource}=${lease.holder}@${lease.epoch}${lease.expired ? '(expired)' : ''}`)
    .join(', ');
}
