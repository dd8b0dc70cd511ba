/**
 * What "ready" means for Prism (issue #12 item 14): this node can serve its traffic, commands and queries.
 *
 *  - `event_store`: the event store answers a read (commands append to it; without it nothing is served);
 *  - `views`: the view stores were loaded at start (the ones required for readiness connected, every
 *    other one tried), so a read of an existing view is answered from its active generation (issue #12
 *    item 13); `stores` names each by the name its store module declares (e.g. `postgres`);
 *  - `node`: not draining (a node shutting down answers 503 so the load balancer moves traffic away).
 *
 * Not part of readiness: another view store being down (its views answer 503 themselves, while commands
 * and the other views keep working), a failed or stalled projection. Those are components, listed
 * by GET /health/components (components.ts). Each read is time-boxed, so the probe answers within one box.
 */
import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { EventLog } from '../../eventstore/event-store.port';
import type { ProjectionsService } from '../../projection-host/projections.service';
import { errorMessage } from '../../runtime/error-classifier';
import { redactSecrets } from '../logging/redact';
import { timeBoxed } from './time-box';

export const CHECK_TIMEOUT_MS = 2000;

export type HealthCheck = () => Promise<HealthIndicatorResult>;

export function readinessChecks(
  indicators: HealthIndicatorService,
  store: EventLog,
  projections: ProjectionsService,
  draining: () => boolean,
  timeoutMs = CHECK_TIMEOUT_MS,
): HealthCheck[] {
  return [
    () => eventStoreCheck(indicators, store, timeoutMs),
    () => {
      const check = indicators.check('views');
      const stores = Object.fromEntries(
        projections
          .viewStores()
          .map((connection) => [connection.name, connection.connected ? 'connected' : 'connecting']),
      );
      return Promise.resolve(
        projections.viewStoresLoaded
          ? check.up({ stores })
          : check.down({ stores, message: 'the views are not loaded yet: connecting to the view stores' }),
      );
    },
    () => {
      const check = indicators.check('node');
      return Promise.resolve(
        draining() ? check.down({ message: 'draining: this node is shutting down' }) : check.up(),
      );
    },
  ];
}

/** The event store answers a read of its head, within the time box. */
export async function eventStoreCheck(
  indicators: HealthIndicatorService,
  store: EventLog,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<HealthIndicatorResult> {
  const check = indicators.check('event_store');
  try {
    const head = await timeBoxed(() => store.headPosition(), timeoutMs);
    return check.up({ kind: store.kind, head: head.toString() });
  } catch (error) {
    return check.down({ kind: store.kind, message: reasonOf(error) });
  }
}

export function reasonOf(error: unknown): string {
  return redactSecrets(errorMessage(error) || (error instanceof Error ? error.name : 'unknown error'));
}
