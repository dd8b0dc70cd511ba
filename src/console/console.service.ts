/**
 * What the console needs beyond the admin API: one overview call (statuses from AdminService, plus each
 * view's store, the broken definition files and the last minutes of lag and rate), a projection's
 * definition source, and its generations. Operations (pause, rebuild, verify, plan...) stay on the admin
 * API; the console calls those routes itself.
 */
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AdminService } from '../admin/admin.service';
import { PRISM_CONFIG, type PrismConfig } from '../nest/prism-config';
import type { CompiledProjection } from '../core/plan';
import { definitionModelOf } from '../dsl';
import { ProjectionsService } from '../projection-host/projections.service';
import { UnknownProjectionError } from '../runtime/runtime.errors';
import type {
  ConsoleOverviewJson,
  ConsoleProjectionJson,
  DefinitionSourceJson,
  GenerationsJson,
} from './console.dto';
import { findDefinitionFile, fingerprintOfSource, runningDefinitionYaml } from './definition-source';
import { StatusHistory } from './status-history';

/** How often lag and rate are sampled for the sparklines, and how many samples are kept (10 minutes). */
export const SAMPLE_EVERY_MS = 5_000;
const SAMPLES_KEPT = 120;

@Injectable()
export class ConsoleService implements OnModuleInit, OnModuleDestroy {
  private readonly history = new StatusHistory(SAMPLES_KEPT);
  private timer: NodeJS.Timeout | undefined;
  private lastSampleAt = 0;

  constructor(
    @Inject(AdminService) private readonly admin: AdminService,
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
    @Inject(PRISM_CONFIG) private readonly config: PrismConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async overview(): Promise<ConsoleOverviewJson> {
    const statuses = await this.admin.statuses();
    // A console opened right after start gets its first sample now rather than at the next tick.
    if (Date.now() - this.lastSampleAt >= SAMPLE_EVERY_MS) this.sample();
    return {
      at: new Date().toISOString(),
      sampleEverySeconds: SAMPLE_EVERY_MS / 1000,
      projections: statuses.map((status): ConsoleProjectionJson => ({
        ...status,
        store: this.plan(status.name)?.target.kind ?? null,
        owner: status.owner?.node ?? null,
        history: this.history.of(status.name),
      })),
      broken: this.projections.catalog.broken.map((broken) => ({
        file: broken.file,
        ...(broken.name !== undefined ? { name: broken.name } : {}),
        errors: [...broken.errors],
      })),
    };
  }

  definition(name: string): DefinitionSourceJson {
    const plan = this.knownPlan(name);
    const file = findDefinitionFile(this.config.projections.paths, name);
    const now =
      file === undefined ? undefined : fingerprintOfSource(file, this.projections.validationOptions);
    return {
      projection: name,
      store: plan.target.kind,
      fingerprint: plan.fingerprint,
      file: file?.file ?? null,
      source: file?.text ?? null,
      fileMatchesRunning: now?.fingerprint === plan.fingerprint,
      fileProblems: now?.problems ?? [],
      running: runningDefinitionYaml(definitionModelOf(plan)),
    };
  }

  async generations(name: string): Promise<GenerationsJson> {
    const plan = this.knownPlan(name);
    const target = this.projections.target(plan.target.kind);
    const records = target === undefined ? [] : await target.listGenerations(name);
    return {
      projection: name,
      generations: records.map((record) => ({
        generation: record.generation,
        status: record.status,
        fingerprint: record.fingerprint,
        createdAt: record.createdAt.toISOString(),
      })),
    };
  }

  private sample(): void {
    const runtime = this.projections.runtimeIfStarted;
    if (runtime === undefined) return;
    this.lastSampleAt = Date.now();
    this.history.record(
      Date.now(),
      runtime.status().flatMap((status) => {
        const generation = status.live ?? status.rebuild;
        if (generation === null) return [];
        return [
          {
            name: status.name,
            behind: generation.behind.toString(),
            lagSeconds: generation.lagSeconds,
            eventsPerSecond: generation.eventsPerSecond,
          },
        ];
      }),
    );
  }

  private plan(name: string): CompiledProjection | undefined {
    return this.projections.catalog.projections.find((plan) => plan.name === name);
  }

  private knownPlan(name: string): CompiledProjection {
    const plan = this.plan(name);
    if (plan === undefined)
      throw new UnknownProjectionError(
        name,
        this.projections.catalog.projections.map((p) => p.name),
      );
    return plan;
  }
}
