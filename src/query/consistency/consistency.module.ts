/**
 * Read-your-writes for every query API: provides the ConsistencyGate app-wide (the query controllers
 * inject it), wired to the projection runtime (or, for projections another node runs, the stored
 * checkpoints), the event store and PRISM_READ_WAIT_MAX_MS.
 */
import { Global, Module } from '@nestjs/common';
import { PRISM_CONFIG, type PrismConfig } from '../../nest/prism-config';
import type { EventLog } from '../../eventstore/event-store.port';
import { EVENT_LOG } from '../../eventstore/event-store.module';
import { ProjectionsModule } from '../../projection-host/projections.module';
import { ProjectionsService } from '../../projection-host/projections.service';
import { logFilterOf } from '../../runtime/source-filter';
import { ConsistencyGate } from './consistency.gate';
import { RoutedCheckpoints } from './stored-checkpoints';

@Global()
@Module({
  imports: [ProjectionsModule],
  providers: [
    {
      provide: ConsistencyGate,
      inject: [ProjectionsService, EVENT_LOG, PRISM_CONFIG],
      useFactory: (projections: ProjectionsService, store: EventLog, config: PrismConfig) =>
        new ConsistencyGate({
          // Projections another node runs (issue #15) are read from their stored checkpoints.
          runtime: () =>
            projections.ready().then(
              (runtime) =>
                new RoutedCheckpoints(runtime, {
                  runsLocally: (name) => projections.runsLocally(name),
                  plan: (name) => planOf(projections, name),
                  target: (kind) => projections.target(kind),
                }),
            ),
          filterOf: (name) => {
            const plan = planOf(projections, name);
            return plan === undefined ? undefined : logFilterOf(plan);
          },
          store,
          maxWaitMs: config.queries.readWaitMaxMs,
        }),
    },
  ],
  exports: [ConsistencyGate],
})
export class ConsistencyModule {}

function planOf(projections: ProjectionsService, name: string) {
  return projections.catalog.projections.find((candidate) => candidate.name === name);
}
