/**
 * GET /health/live: the process answers (no store is read, so a store outage never restarts Prism).
 * GET /health/ready: 200 when this node can serve commands and queries (event store up, views loaded,
 * not draining), else 503 naming what is not, in terminus's shape ({ status, info, error, details }).
 * GET /health/components: every store and projection with its state; 200 with `status: degraded` when
 * one is down. What each covers and why: readiness.ts, components.ts, src/observability/README.md.
 */
import { type BeforeApplicationShutdown, Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { HttpResponse } from '../../http/http.types';
import type { EventLog } from '../../eventstore/event-store.port';
import { EVENT_LOG } from '../../eventstore/event-store.module';
import { ProjectionsService } from '../../projection-host/projections.service';
import { componentsReport, type ComponentsReport } from './components';
import { readinessChecks } from './readiness';
import { SHUTDOWN_GATE } from '../../lifecycle/lifecycle.module';
import type { ShutdownGate } from '../../lifecycle/shutdown-gate';

// Operational endpoints for probes, like /metrics: not part of the documented API.
@ApiExcludeController()
@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Health');
  /** Last readiness answered, so a change is logged once rather than on every probe. */
  private lastReady: boolean | undefined;
  /** Set when the app starts shutting down: readiness answers 503 so traffic moves to other nodes. */
  private draining = false;

  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_LOG) private readonly store: EventLog,
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
    @Inject(SHUTDOWN_GATE) private readonly shutdownGate: ShutdownGate,
  ) {}

  @Get('live')
  live(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        Promise.resolve(this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })),
    ]);
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }

  @Get('components')
  components(): Promise<ComponentsReport> {
    return componentsReport(this.store, this.projections);
  }

  @Get('ready')
  async ready(@Res() response: HttpResponse): Promise<void> {
    const result = await this.check();
    const ready = result.status === 'ok';
    if (ready !== this.lastReady) {
      if (ready) this.logger.log('Ready: the event store answers and the views are loaded');
      else this.logger.warn(`Not ready: ${describeDown(result)}`);
      this.lastReady = ready;
    }
    if (ready) {
      response.status(200).json(result);
      return;
    }
    // Not ready is an error like any other: the app's one error format (issue #12 item 9), with the
    // checks that are down and up beside it (terminus's own shape puts its checks under `error`).
    response.status(503).json({
      error: 'not_ready',
      message: `Not ready: ${describeDown(result)}`,
      down: { ...result.error },
      up: { ...result.info },
    });
  }

  /** terminus throws its result as a 503 exception; it is answered here, not by the app's error filter. */
  private async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check(
        readinessChecks(
          this.indicators,
          this.store,
          this.projections,
          () => this.draining || this.shutdownGate.isDraining,
        ),
      );
    } catch (error) {
      const body = (error as { getResponse?: () => unknown }).getResponse?.();
      if (isHealthCheckResult(body)) return body;
      throw error;
    }
  }
}

function isHealthCheckResult(value: unknown): value is HealthCheckResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'details' in value;
}

function describeDown(result: HealthCheckResult): string {
  return Object.entries(result.error ?? {})
    .map(([name, detail]) => {
      const message = (detail as { message?: unknown }).message;
      return `${name} (${typeof message === 'string' ? message : 'down'})`;
    })
    .join(', ');
}
