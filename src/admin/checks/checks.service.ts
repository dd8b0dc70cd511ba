/**
 * Wires `verify` and `plan` (plain functions, see verify-projection.ts and plan-definition.ts) to the
 * running app: its event store, its connected targets, its catalog and runtime (rate, pause/resume).
 * Keeps the progress of running verifications so a long one can be followed (GET …/verify).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { recompileDefinition } from '../../dsl';
import type { EventLog } from '../../eventstore/event-store.port';
import { EVENT_LOG } from '../../eventstore/event-store.module';
import { ProjectionsService } from '../../projection-host/projections.service';
import { AdminService } from '../admin.service';
import {
  TargetNotConnectedError,
  UnknownProjectionToCheckError,
  VerifyCancelledError,
} from './checks.errors';
import { planDefinition, type PlanOptions, type PlanReport } from './plan-definition';
import { measuredRate } from './plan-rate';
import {
  verifyProjection,
  type VerifyOptions,
  type VerifyProgress,
  type VerifyReport,
} from './verify-projection';

/** How often a long verification logs its progress. */
const PROGRESS_LOG_MS = 5_000;

@Injectable()
export class ChecksService {
  private readonly logger = new Logger('Checks');
  private readonly running = new Map<string, VerifyProgress & { readonly startedAt: string }>();
  /** Verifications stopped because their caller disconnected or cancelled (issue #17). */
  private cancelledCount = 0;

  constructor(
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
    @Inject(EVENT_LOG) private readonly store: EventLog,
    @Inject(AdminService) private readonly admin: AdminService,
  ) {}

  /** `afterCheckpointRead` is for tests only (see VerifyOptions); the HTTP route never passes it. */
  async verify(
    name: string,
    options: Pick<VerifyOptions, 'maxDifferences' | 'afterCheckpointRead' | 'signal'> = {},
  ): Promise<VerifyReport> {
    const plan = this.projections.catalog.projections.find((p) => p.name === name);
    if (plan === undefined) throw new UnknownProjectionToCheckError(name);
    await this.projections.ready();
    const target = this.projections.target(plan.target.kind);
    if (target === undefined) throw new TargetNotConnectedError(plan.target.kind);
    const startedAt = new Date().toISOString();
    // Listed from the start, so `GET …/verify` and the CLI see it before the first page is folded.
    this.running.set(name, {
      phase: 'folding',
      eventsFolded: 0,
      position: 0n,
      upTo: 0n,
      scanned: 0,
      startedAt,
    });
    let lastLog = Date.now();
    try {
      return await verifyProjection(
        {
          store: this.store,
          target,
          catalogPlan: plan,
          recompile: (model) => recompileDefinition(model, undefined, this.projections.validationOptions),
          pause: async () => {
            this.logger.warn(`verify ${name}: the view keeps moving; pausing it to compare at one position`);
            // Through the admin service: the node running it pauses it (issue #15: any node verifies).
            await this.admin.pause(name);
            return async () => void (await this.admin.resume(name));
          },
        },
        name,
        {
          ...options,
          onProgress: (progress) => {
            this.running.set(name, { ...progress, startedAt });
            if (Date.now() - lastLog >= PROGRESS_LOG_MS) {
              lastLog = Date.now();
              this.logger.log(
                `verify ${name}: ${progress.phase}, ${progress.eventsFolded} events folded ` +
                  `(position ${progress.position}/${progress.upTo}), ${progress.scanned} live entries scanned`,
              );
            }
          },
        },
      );
    } catch (error) {
      if (error instanceof VerifyCancelledError) {
        this.cancelledCount += 1;
        this.logger.warn(`verify ${name} stopped: ${error.message}`);
      }
      throw error;
    } finally {
      this.running.delete(name);
    }
  }

  /** How many verifications were stopped because their caller disconnected or cancelled. */
  get cancelled(): number {
    return this.cancelledCount;
  }

  /** The progress of a verification running now, or undefined. */
  progress(name: string): (VerifyProgress & { readonly startedAt: string }) | undefined {
    return this.running.get(name);
  }

  async plan(source: { text: string; file: string }, options: PlanOptions = {}): Promise<PlanReport> {
    const runtime = await this.projections.ready();
    return planDefinition(
      {
        store: this.store,
        target: (kind) => this.projections.target(kind),
        recompile: (model) => recompileDefinition(model, undefined, this.projections.validationOptions),
        checkOptions: this.projections.validationOptions,
        catalogPlan: (name) => this.projections.catalog.projections.find((p) => p.name === name),
        measuredRate: (name) =>
          runtime.names().includes(name) ? measuredRate(runtime.status(name)) : undefined,
      },
      source,
      options,
    );
  }
}
