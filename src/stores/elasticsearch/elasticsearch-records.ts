/**
 * The Elasticsearch store's bookkeeping records (BookkeepingRecords, see ../bookkeeping/bookkeeping.port.ts):
 * documents of the bookkeeping index (elasticsearch-bookkeeping.ts). There are no transactions: a
 * "transaction" runs its steps in order, every create is create-if-absent, and the checkpoint is the
 * compare-and-set, written last with if_seq_no/if_primary_term (see target.port.ts). The checkpoint's
 * fence (issue #15) is part of that document, so a fence a new lease holder wrote after a stale writer's
 * claim moves the seq_no, and the stale writer's settle is refused.
 */
import { MAX_SEGMENTS } from '../../core/plan';
import { segmentCheckpointName } from '../bookkeeping/bookkeeping';
import type { JsonObject, JsonValue } from '../../core/json';
import type { TargetShape } from '../../core/view-shape';
import type {
  BookkeepingRecords,
  CheckpointClaim,
  NewGeneration,
  ParkingChanges,
  ProjectionChange,
  StoredCheckpoint,
  StoredGeneration,
  StoredGenerationStatus,
} from '../bookkeeping/bookkeeping.port';
import { returningRollback } from '../bookkeeping/rollback';
import type {
  CheckpointRange,
  ParkedEvent,
  ParkingResolution,
  ProjectionRecord,
  ViewRef,
} from '../target.port';
import {
  checkpointDocument,
  checkpointFromDocument,
  metaIds,
  parkedDocument,
  parkedFromDocument,
  resolutionDocument,
  resolutionFromDocument,
  text,
} from './elasticsearch-bookkeeping';
import { isStatus, type MetaIndex } from './elasticsearch-meta';

/** Elasticsearch has no session to carry: records are single-document requests. */
export type NoSession = undefined;

interface CheckpointToken {
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export class ElasticsearchRecords implements BookkeepingRecords<NoSession> {
  /** The checkpoint documents this process wrote last, per generation (saves a GET per commit). */
  private readonly written = new Map<string, CheckpointToken & StoredCheckpoint>();

  constructor(private readonly meta: MetaIndex) {}

  transaction<T>(work: (session: NoSession) => Promise<T>): Promise<T> {
    return returningRollback(() => work(undefined));
  }

  read<T>(work: (session: NoSession) => Promise<T>): Promise<T> {
    return work(undefined);
  }

  // Registry ---------------------------------------------------------------------------------------

  async readProjection(_: NoSession, name: string): Promise<ProjectionRecord | undefined> {
    const found = await this.meta.get(metaIds.projection(name));
    if (found === undefined) return undefined;
    const active = found.source.active_generation;
    return {
      name,
      activeGeneration: typeof active === 'number' ? active : null,
      paused: found.source.paused === true,
    };
  }

  async listProjections(): Promise<ProjectionRecord[]> {
    const hits = await this.meta.search([{ term: { kind: 'projection' } }]);
    return hits.map((source) => ({
      name: text(source.projection),
      activeGeneration: typeof source.active_generation === 'number' ? source.active_generation : null,
      paused: source.paused === true,
    }));
  }

  /** The alias claims (kept by a generation's drop) go with the registry entry. */
  async deleteProjection(_: NoSession, name: string): Promise<void> {
    const claims = await this.meta.search([{ term: { kind: 'view' } }, { term: { projection: name } }]);
    for (const claim of claims) await this.meta.delete(metaIds.view(text(claim.view_name)));
    await this.meta.delete(metaIds.projection(name));
  }

  async writeProjection(_: NoSession, name: string, change: ProjectionChange): Promise<void> {
    const id = metaIds.projection(name);
    const now = new Date().toISOString();
    const created: JsonObject = {
      kind: 'projection',
      projection: name,
      active_generation: change.activeGeneration ?? null,
      paused: change.paused ?? false,
      updated_at: now,
    };
    const fields: JsonObject = {
      ...(change.activeGeneration === undefined ? {} : { active_generation: change.activeGeneration }),
      ...(change.paused === undefined ? {} : { paused: change.paused }),
    };
    if (Object.keys(fields).length === 0) await this.meta.create(id, created);
    else await this.meta.update(id, { ...fields, updated_at: now }, created);
  }

  // Generations ------------------------------------------------------------------------------------

  async listGenerations(_: NoSession, projection: string): Promise<StoredGeneration[]> {
    const hits = await this.meta.search([{ term: { kind: 'generation' } }, { term: { projection } }]);
    return hits.map((source) => {
      const body = source.body as JsonObject;
      return {
        projection,
        generation: Number(source.generation),
        fingerprint: text(body.fingerprint),
        definition: body.definition ?? null,
        shape: body.shape as unknown as TargetShape,
        status: text(source.status) as StoredGenerationStatus,
        createdAt: new Date(text(body.createdAt)),
      };
    });
  }

  /** A `view|<alias>` document per name, created if absent: of two racing projections, one creates it. */
  async claimNames(_: NoSession, projection: string, names: readonly string[]) {
    for (const name of names) {
      const id = metaIds.view(name);
      if (await this.meta.create(id, { kind: 'view', projection, view_name: name })) continue;
      const owner = (await this.meta.get(id))?.source.projection;
      if (owner !== undefined && owner !== projection) return { owner: text(owner), names: [name] };
    }
    return undefined;
  }

  async createGeneration(_: NoSession, generation: NewGeneration): Promise<void> {
    await this.meta.create(metaIds.generation(generation.projection, generation.generation), {
      kind: 'generation',
      projection: generation.projection,
      generation: generation.generation,
      view_name: generation.names[0] ?? null,
      status: 'building',
      body: {
        fingerprint: generation.fingerprint,
        definition: generation.definition,
        shape: generation.shape as unknown as JsonValue,
        createdAt: generation.createdAt.toISOString(),
      },
    });
  }

  async setGenerationStatus(
    _: NoSession,
    projection: string,
    generation: number,
    status: StoredGenerationStatus,
  ): Promise<void> {
    try {
      await this.meta.update(metaIds.generation(projection, generation), { status });
    } catch (error) {
      // A generation dropped meanwhile has no status to keep.
      if (!isStatus(error, 404)) throw error;
    }
  }

  async deleteGeneration(_: NoSession, projection: string, generation: number): Promise<void> {
    await this.meta.delete(metaIds.generation(projection, generation));
  }

  // Checkpoints ------------------------------------------------------------------------------------

  async createCheckpoint(_: NoSession, view: ViewRef): Promise<void> {
    await this.meta.create(
      metaIds.checkpoint(view.projection, view.generation),
      checkpointDocument(view, { position: 0n, fence: 0n }),
    );
  }

  async readCheckpoint(_: NoSession, view: ViewRef): Promise<StoredCheckpoint | undefined> {
    const stored = await this.checkpointDocument(view);
    return stored === undefined ? undefined : { position: stored.position, fence: stored.fence };
  }

  /**
   * Checks the checkpoint and its fence before any write, so a stale or competing runner, or one whose
   * lease was taken over, writes nothing at all. The checkpoint this process wrote last saves that round
   * trip: if someone else moved it or raised its fence since, the documents written meanwhile are harmless
   * (external versions) and the settle still reports the mismatch or the fence.
   */
  async claimCheckpoint(_: NoSession, view: ViewRef, range: CheckpointRange): Promise<CheckpointClaim> {
    const key = checkpointKey(view);
    const cached = this.written.get(key);
    const checkpoint = cached?.position === range.from ? cached : await this.checkpointDocument(view);
    if (checkpoint === undefined || checkpoint.position !== range.from) {
      this.written.delete(key);
      return { kind: 'moved', actual: checkpoint?.position, fence: checkpoint?.fence };
    }
    const token: CheckpointToken = { seqNo: checkpoint.seqNo, primaryTerm: checkpoint.primaryTerm };
    return { kind: 'claimed', fence: checkpoint.fence, token };
  }

  /** The compare-and-set, last: after the documents and parking records were stored. */
  async settleCheckpoint(
    _: NoSession,
    view: ViewRef,
    range: CheckpointRange,
    claim: Extract<CheckpointClaim, { kind: 'claimed' }>,
    fence: bigint,
  ): Promise<CheckpointClaim> {
    const key = checkpointKey(view);
    const token = claim.token as CheckpointToken;
    this.written.delete(key);
    try {
      const stored = await this.meta.client.index({
        index: this.meta.name,
        id: metaIds.checkpoint(view.projection, view.generation),
        document: {
          ...checkpointDocument(view, { position: range.to, fence }),
          updated_at: new Date().toISOString(),
        },
        if_seq_no: token.seqNo,
        if_primary_term: token.primaryTerm,
      });
      this.written.set(key, {
        position: range.to,
        fence,
        seqNo: stored._seq_no ?? -1,
        primaryTerm: stored._primary_term ?? -1,
      });
      return { ...claim, fence };
    } catch (error) {
      if (!isStatus(error, 409)) throw error;
      // Moved, or fenced by a new lease holder, since the claim: say which, from what is stored now.
      const now = await this.readCheckpoint(undefined, view);
      return { kind: 'moved', actual: now?.position, fence: now?.fence };
    }
  }

  async deleteCheckpoint(_: NoSession, view: ViewRef): Promise<void> {
    this.written.delete(checkpointKey(view));
    await this.meta.delete(metaIds.checkpoint(view.projection, view.generation));
  }

  /** Segments 1.. (issue #15): their checkpoint documents, one bulk request of deletes (absent ones are fine). */
  async deleteSegmentCheckpoints(_: NoSession, view: ViewRef): Promise<void> {
    const operations: JsonObject[] = [];
    for (let segment = 1; segment < MAX_SEGMENTS; segment += 1) {
      const name = segmentCheckpointName(view.projection, segment);
      this.written.delete(checkpointKey({ ...view, projection: name }));
      operations.push({ delete: { _index: this.meta.name, _id: metaIds.checkpoint(name, view.generation) } });
    }
    await this.meta.client.bulk({ operations, refresh: true });
  }

  // Parking ----------------------------------------------------------------------------------------

  async writeParking(_: NoSession, view: ViewRef, changes: ParkingChanges): Promise<void> {
    const operations: JsonObject[] = [];
    const index = this.meta.name;
    for (const parked of changes.park ?? []) {
      const id = metaIds.parked(view.projection, view.generation, parked.position);
      operations.push({ index: { _index: index, _id: id } });
      operations.push(
        parkedDocument({ ...parked, projection: view.projection, generation: view.generation }),
      );
    }
    for (const position of changes.release ?? []) {
      operations.push({
        delete: { _index: index, _id: metaIds.parked(view.projection, view.generation, position) },
      });
    }
    for (const resolution of changes.resolve ?? []) {
      const id = metaIds.resolution(view.projection, view.generation, resolution.position);
      operations.push({ index: { _index: index, _id: id } });
      operations.push(resolutionDocument(view, resolution));
    }
    if (operations.length === 0) return;
    // Parking is rare; refresh so listParked (a search) sees it at once.
    const response = await this.meta.client.bulk({ operations, refresh: true });
    const failed = response.items
      .map((item) => item.index ?? item.delete)
      .filter((result) => result !== undefined && result.status >= 300 && result.status !== 404);
    if (failed.length > 0) {
      throw new Error(
        `Recording parked events of "${view.projection}" failed: ${failed.map((f) => f?.error?.reason ?? f?.status).join('; ')}; ` +
          'the batch will be retried from the stored checkpoint.',
      );
    }
  }

  async listParked(_: NoSession, view: ViewRef): Promise<ParkedEvent[]> {
    return (await this.parkingDocuments('parked', view)).map(parkedFromDocument);
  }

  async listResolutions(_: NoSession, view: ViewRef): Promise<ParkingResolution[]> {
    return (await this.parkingDocuments('resolution', view)).map(resolutionFromDocument);
  }

  async deleteParking(_: NoSession, view: ViewRef): Promise<void> {
    const parked = await this.listParked(undefined, view);
    const resolutions = await this.listResolutions(undefined, view);
    if (parked.length + resolutions.length === 0) return;
    const ids = [
      ...parked.map((p) => metaIds.parked(view.projection, view.generation, p.position)),
      ...resolutions.map((r) => metaIds.resolution(view.projection, view.generation, r.position)),
    ];
    await this.meta.client.bulk({
      operations: ids.map((id) => ({ delete: { _index: this.meta.name, _id: id } })),
      refresh: true,
    });
  }

  // Internals --------------------------------------------------------------------------------------

  private parkingDocuments(kind: 'parked' | 'resolution', view: ViewRef): Promise<JsonObject[]> {
    return this.meta.search([
      { term: { kind } },
      { term: { projection: view.projection } },
      { term: { generation: view.generation } },
    ]);
  }

  private async checkpointDocument(view: ViewRef): Promise<(CheckpointToken & StoredCheckpoint) | undefined> {
    const found = await this.meta.get(metaIds.checkpoint(view.projection, view.generation));
    if (found === undefined) return undefined;
    return { seqNo: found.seqNo, primaryTerm: found.primaryTerm, ...checkpointFromDocument(found.source) };
  }
}

function checkpointKey(view: ViewRef): string {
  return `${view.projection}|${view.generation}`;
}
