import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { ProjectionsService } from '../../projection-host/projections.service';
import { PrismMetrics } from './prism-metrics';

/** GET /metrics: the Prometheus text format. Open like /health (no role needed); bind it to a private port in production. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(PrismMetrics) private readonly metrics: PrismMetrics,
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
  ) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.scrape(
      this.projections.runtimeIfStarted?.status(),
      this.projections.brokenDefinitions.map((broken) => broken.name ?? broken.file),
    );
  }
}
