/**
 * Nest wiring of tracing: the TracingHandle (null when off; the SDK is imported only when on), its
 * shutdown when the app closes, and the runtime observer that adds projection spans to the metrics.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { PRISM_CONFIG, type PrismConfig } from '../../nest/prism-config';
import type { CommittedBatch, RuntimeObserver, StoreFailure } from '../../runtime/runtime.observer';
import { PrismMetrics } from '../metrics/prism-metrics';
import { RUNTIME_OBSERVER } from '../observability.tokens';
import { ProjectionTracing } from './projection-spans';
import { TRACING, type TracingHandle } from './tracing.tokens';

/** Flushes the last spans and stops the exporter; onApplicationShutdown runs after the runtime stopped. */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  constructor(@Inject(TRACING) private readonly tracing: TracingHandle | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.tracing?.shutdown();
  }
}

export const tracingProviders: Provider[] = [
  {
    provide: TRACING,
    inject: [PRISM_CONFIG],
    useFactory: (config: PrismConfig): TracingHandle | null => {
      if (config.tracing === undefined) return null;
      // Required here, not imported at the top: with tracing off the SDK and the exporter are never loaded.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startTracing } = require('./tracing-sdk') as typeof import('./tracing-sdk');
      return startTracing(config.tracing, new Logger('Tracing'));
    },
  },
  TracingShutdown,
  {
    provide: RUNTIME_OBSERVER,
    inject: [PrismMetrics, TRACING],
    useFactory: (metrics: PrismMetrics, tracing: TracingHandle | null): RuntimeObserver =>
      tracing === null ? metrics : bothObservers(metrics, new ProjectionTracing()),
  },
];

function bothObservers(first: RuntimeObserver, second: RuntimeObserver): RuntimeObserver {
  return {
    batchCommitted: (batch: CommittedBatch) => {
      first.batchCommitted(batch);
      second.batchCommitted(batch);
    },
    storeError: (failure: StoreFailure) => {
      first.storeError(failure);
      second.storeError(failure);
    },
  };
}
