/**
 * What a view store can do, as the core needs to know it. The runtime, `verify` and `plan` branch on these,
 * never on a store's name, so a new store states its capabilities instead of being special-cased.
 */
export interface StoreCapabilities {
  /**
   * Whether `Target.commit` applies operations, parking records and the checkpoint in one transaction.
   * Without one, the target makes re-application harmless instead (see target.port.ts).
   */
  readonly transactional: boolean;
  /**
   * Whether the store's plans read the current state of the keys an event touches (document views: the
   * document is loaded, changed and written whole). Graph views write merges without reading, so the
   * runner neither loads keys nor checks that a loaded key exists.
   */
  readonly readsState: boolean;
  /**
   * Whether a projection on this store may declare `segments: N` (issue #15): its bookkeeping keeps one
   * checkpoint per segment (BookkeepingRecords.deleteSegmentCheckpoints) and its view is written by
   * document key, so segments never write the same entry. Absent: no.
   */
  readonly segments?: boolean;
  /**
   * Whether the target keeps lookups (correlation state, src/core/lookups.ts): `loadLookups`, and
   * `CommitBatch.lookups` stored as safely as the view's operations. Absent: no; a definition with lookups
   * is then refused at load (`lookups-not-supported`).
   */
  readonly keepsLookups?: boolean;
  /**
   * Whether the target finds documents by a secondary key (`Target.findKeys`), which fan-out updates
   * (`updateAll`, issue #16) need. Absent: no; a definition with `updateAll` is then refused at load
   * (`fan-out-not-supported`).
   */
  readonly findsKeys?: boolean;
  /**
   * Most events per batch while a projection catches up (its last read filled a whole batch), when the
   * store commits large transactions much more cheaply per event than small ones. Absent: the runner's
   * `batchSize` always. Live batches keep `batchSize` and its latency bound either way.
   */
  readonly catchUpBatchSize?: number;
}
