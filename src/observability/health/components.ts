/**
 * GET /health/components: every component of this node and how it is, for dashboards and alerts
 * (issue #12 item 14; readiness, which only says whether this node can serve, is readiness.ts):
 *
 *  - `stores`: the event store and each configured view store (`<name>_views`, the name its store module
 *    declares, e.g. `postgres_views`), each `up` or `down` with why, probed through the store's one
 *    connection (its module's `probe`), each read time-boxed like readiness;
 *  - `projections`: every projection with its state (src/runtime/projection-status.ts), `down` when
 *    `failed`, `stalled` or `broken-definition` (then with the stall, last error or definition errors).
 *
 * The route answers 200 whenever this node answers, with `status: "degraded"` when any component is down:
 * the body is the report, and a probe must not read "Elasticsearch is down" as "this node is down".
 */
import type { EventLog } from '../../eventstore/event-store.port';
import type { ProjectionsService } from '../../projection-host/projections.service';
import type { ProjectionState, ProjectionStatus } from '../../runtime/projection-status';
import { redactSecrets } from '../logging/redact';
import { CHECK_TIMEOUT_MS, reasonOf } from './readiness';
import { timeBoxed } from './time-box';

export interface StoreComponent {
  readonly status: 'up' | 'down';
  readonly role: 'event-store' | 'view-store';
  readonly kind: string;
  readonly message?: string;
  readonly head?: string;
}

export interface ProjectionComponent {
  readonly name: string;
  readonly status: 'up' | 'down';
  readonly state: ProjectionState;
  readonly stall?: {
    readonly store: string;
    readonly kind: string;
    readonly since: string;
    readonly lastError: string;
  };
  readonly lastError?: string;
  readonly file?: string;
  readonly errors?: readonly string[];
}

export interface ComponentsReport {
  /** `ok` when every component is up, else `degraded`. */
  readonly status: 'ok' | 'degraded';
  readonly stores: Readonly<Record<string, StoreComponent>>;
  readonly projections: readonly ProjectionComponent[];
}

const DOWN_STATES: readonly ProjectionState[] = ['failed', 'stalled', 'broken-definition'];

export async function componentsReport(
  store: EventLog,
  projections: ProjectionsService,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<ComponentsReport> {
  const [eventStore, ...viewStores] = await Promise.all([
    eventStoreComponent(store, timeoutMs),
    ...projections.viewStores().map((connection) => viewStoreComponent(projections, connection, timeoutMs)),
  ]);
  const stores: Record<string, StoreComponent> = { event_store: eventStore };
  for (const [name, component] of viewStores) stores[`${name}_views`] = component;
  const report = [...projectionComponents(projections), ...brokenComponents(projections)];
  const degraded =
    Object.values(stores).some((component) => component.status === 'down') ||
    report.some((component) => component.status === 'down');
  return { status: degraded ? 'degraded' : 'ok', stores, projections: report };
}

async function eventStoreComponent(store: EventLog, timeoutMs: number): Promise<StoreComponent> {
  try {
    const head = await timeBoxed(() => store.headPosition(), timeoutMs);
    return { status: 'up', role: 'event-store', kind: store.kind, head: head.toString() };
  } catch (error) {
    return { status: 'down', role: 'event-store', kind: store.kind, message: reasonOf(error) };
  }
}

async function viewStoreComponent(
  projections: ProjectionsService,
  connection: ReturnType<ProjectionsService['viewStores']>[number],
  timeoutMs: number,
): Promise<[string, StoreComponent]> {
  const { name } = connection;
  const base = { role: 'view-store', kind: name } as const;
  const store = projections.viewStore(connection.kind);
  if (store === undefined || !connection.connected) {
    const why = connection.lastError === undefined ? 'connecting' : redactSecrets(connection.lastError);
    return [name, { ...base, status: 'down', message: `not connected: ${why}` }];
  }
  try {
    await timeBoxed(() => store.connection.probe(), timeoutMs);
    return [name, { ...base, status: 'up' }];
  } catch (error) {
    return [name, { ...base, status: 'down', message: reasonOf(error) }];
  }
}

function projectionComponents(projections: ProjectionsService): ProjectionComponent[] {
  const runtime = projections.runtimeIfStarted;
  if (runtime === undefined) {
    // Not started yet (view stores connecting): every loaded definition is starting.
    return projections.catalog.projections.map((plan) => ({
      name: plan.name,
      status: 'up',
      state: 'starting',
    }));
  }
  return runtime.status().map(projectionComponent);
}

function projectionComponent(status: ProjectionStatus): ProjectionComponent {
  const lastError = status.live?.lastError ?? status.rebuild?.lastError ?? null;
  return {
    name: status.name,
    status: DOWN_STATES.includes(status.state) ? 'down' : 'up',
    state: status.state,
    ...(status.stall !== null && {
      stall: {
        store: status.stall.store,
        kind: status.stall.kind,
        since: status.stall.since.toISOString(),
        lastError: redactSecrets(status.stall.lastError),
      },
    }),
    ...(lastError !== null && { lastError: redactSecrets(lastError.message) }),
    ...(status.state === 'failed' &&
      lastError === null &&
      status.notes.length > 0 && { lastError: status.notes.join(' ') }),
  };
}

function brokenComponents(projections: ProjectionsService): ProjectionComponent[] {
  return projections.brokenDefinitions.map((broken) => ({
    name: broken.name ?? broken.file,
    status: 'down',
    state: 'broken-definition',
    file: broken.file,
    errors: [...broken.errors],
  }));
}
