/**
 * What "ready" means for Prism: the event store answers a read, every connected view store answers a read,
 * and the projection runtime runs. Each read is time-boxed, and all run side by side, so the probe answers
 * within one time box even with every store down.
 */
import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { TargetKind } from '../../core/view-shape';
import type { EventStore } from '../../eventstore/event-store.port';
import type { ProjectionsService } from '../../projections/projections.service';
import { errorMessage } from '../../runtime/error-classifier';
import type { Target } from '../../targets/target.port';
import { redactSecrets } from '../logging/redact';
import { timeBoxed } from './time-box';

export const CHECK_TIMEOUT_MS = 2000;

/** A projection name no definition can have (names are identifiers): its lookup is a cheap read. */
const PROBE_PROJECTION = '__prism_health_probe__';

/** Every kind of view store; a kind without a connected target is not checked. */
const TARGET_KINDS: readonly TargetKind[] = ['postgres', 'elasticsearch', 'neo4j'];

export type HealthCheck = () => Promise<HealthIndicatorResult>;

export function readinessChecks(
  indicators: HealthIndicatorService,
  store: EventStore,
  projections: ProjectionsService,
  timeoutMs = CHECK_TIMEOUT_MS,
): HealthCheck[] {
  const targets = TARGET_KINDS.flatMap((kind): [TargetKind, Target][] => {
    const target = projections.target(kind);
    return target === undefined ? [] : [[kind, target]];
  });
  return [
    async () => {
      const check = indicators.check('event_store');
      try {
        const head = await timeBoxed(() => store.headPosition(), timeoutMs);
        return check.up({ kind: store.kind, head: head.toString() });
      } catch (error) {
        return check.down({ kind: store.kind, message: reason(error) });
      }
    },
    ...targets.map(([kind, target]): HealthCheck => async () => {
      const check = indicators.check(`${kind}_views`);
      try {
        await timeBoxed(() => target.readProjection(PROBE_PROJECTION), timeoutMs);
        return check.up();
      } catch (error) {
        return check.down({ message: reason(error) });
      }
    }),
    () => {
      const check = indicators.check('projection_runtime');
      const runtime = projections.runtimeIfStarted;
      if (runtime === undefined) {
        return Promise.resolve(
          check.down({ message: 'not started: connecting to the view stores (see the log for why)' }),
        );
      }
      const statuses = runtime.status();
      const failed = statuses.filter((status) => status.state === 'failed').map((status) => status.name);
      // A failed projection is reported, not fatal to readiness: the other views and the API still serve.
      return Promise.resolve(check.up({ projections: statuses.length, failed }));
    },
  ];
}

function reason(error: unknown): string {
  return redactSecrets(errorMessage(error) || (error instanceof Error ? error.name : 'unknown error'));
}
