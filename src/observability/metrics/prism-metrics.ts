/**
 * Prism's Prometheus metrics, in their own registry (with Node's default process metrics). Counters and
 * histograms are fed as things happen: by the projection runtime (this class is its RuntimeObserver) and by
 * the command interceptor. Gauges are read from the runtime's status when Prometheus scrapes.
 * The names and labels are listed in src/observability/README.md.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  PROJECTION_STATES,
  type GenerationStatus,
  type ProjectionStatus,
} from '../../runtime/projection-status';
import type {
  CommittedBatch,
  LeaseChange,
  RuntimeObserver,
  StoreFailure,
} from '../../runtime/runtime.observer';

export interface FinishedCommand {
  readonly method: string;
  /** The route template (`/customers/:customerId/rename`), never the concrete URL: bounded label values. */
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
}

/** What a command's status code means for its caller. */
export function commandOutcome(status: number): 'accepted' | 'rejected' | 'failed' {
  if (status < 400) return 'accepted';
  return status < 500 ? 'rejected' : 'failed';
}

const GENERATION_LABELS = ['projection', 'generation', 'role'] as const;

export class PrismMetrics implements RuntimeObserver {
  readonly registry = new Registry();

  private readonly eventsProcessed = new Counter({
    name: 'prism_projection_events_processed_total',
    help: 'Events committed to a projection generation (applied, held or parked).',
    labelNames: ['projection', 'generation'],
    registers: [this.registry],
  });
  private readonly batchDuration = new Histogram({
    name: 'prism_projection_batch_duration_seconds',
    help: 'Seconds one batch took to commit to its view store (writes plus checkpoint compare-and-set).',
    labelNames: ['projection', 'generation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly batchEvents = new Histogram({
    name: 'prism_projection_batch_events',
    help: 'Events per committed batch.',
    labelNames: ['projection', 'generation'],
    buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2000, 5000],
    registers: [this.registry],
  });
  private readonly storeErrors = new Counter({
    name: 'prism_projection_store_errors_total',
    help: 'Failed store operations of a projection runner, by class: transient (retried), poison (bisected and parked), unknown.',
    labelNames: ['projection', 'generation', 'kind'],
    registers: [this.registry],
  });

  private readonly batchesCommitted = new Counter({
    name: 'prism_batches_committed_total',
    help:
      'Batches committed, by projection and by the node that committed them (per-node work; with several ' +
      'nodes each batch is committed by exactly one). node is "local" for a runtime without leases.',
    labelNames: ['projection', 'node'],
    registers: [this.registry],
  });
  private readonly leaseHeld = new Gauge({
    name: 'prism_lease_held',
    help:
      "1 while this node holds the projection's lease (runs it), 0 while it stands by (several nodes only); " +
      'per segment of a segmented projection (segment is 0 for an unsegmented one).',
    labelNames: ['projection', 'segment'],
    registers: [this.registry],
  });
  private readonly leaseTakeovers = new Counter({
    name: 'prism_lease_takeovers_total',
    help: "Times this node took a projection's lease that another node held before (it died, froze or gave it up).",
    labelNames: ['projection', 'segment'],
    registers: [this.registry],
  });

  private readonly checkpoint = this.generationGauge(
    'prism_projection_checkpoint_position',
    'Last log position applied by the generation.',
  );
  private readonly head = this.generationGauge(
    'prism_projection_head_position',
    'Last log position the projection reads (its filter applied).',
  );
  private readonly lagEvents = this.generationGauge(
    'prism_projection_lag_events',
    'Positions between the checkpoint and the head: events behind when positions are dense.',
  );
  private readonly lagSeconds = this.generationGauge(
    'prism_projection_lag_seconds',
    'Age of the last applied event while behind; 0 when caught up (absent when unknown).',
  );
  private readonly parked = this.generationGauge(
    'prism_projection_parked_events',
    'Poison events parked, waiting for replay or discard.',
  );
  private readonly held = this.generationGauge(
    'prism_projection_held_events',
    'Events held behind a parked event of the same key.',
  );
  private readonly state = new Gauge({
    name: 'prism_projection_state',
    help:
      'The projection state, one series per state: 1 for the current one, 0 for the others ' +
      `(${PROJECTION_STATES.join(', ')}).`,
    labelNames: ['projection', 'state'],
    registers: [this.registry],
  });
  private readonly stalledSeconds = new Gauge({
    name: 'prism_projection_stalled_seconds',
    help:
      'Seconds since a stalled projection stopped progressing, by the store in trouble ' +
      '(store: event-store or view-store; kind: postgres, elasticsearch, neo4j...). Absent when not stalled.',
    labelNames: ['projection', 'store', 'kind'],
    registers: [this.registry],
  });
  private readonly runtimeStarted = new Gauge({
    name: 'prism_projection_runtime_started',
    help: '1 once the projection runtime runs (its view stores connected), else 0.',
    registers: [this.registry],
  });

  private readonly commandDuration = new Histogram({
    name: 'prism_command_duration_seconds',
    help: 'Seconds from a command request reaching its handler to its response, by route and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly commands = new Counter({
    name: 'prism_commands_total',
    help: 'Command requests answered, by route, status code and outcome (accepted 2xx, rejected 4xx, failed 5xx).',
    labelNames: ['method', 'route', 'status', 'outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  // RuntimeObserver ------------------------------------------------------------------------------

  batchCommitted(batch: CommittedBatch): void {
    const labels = { projection: batch.projection, generation: String(batch.generation) };
    this.eventsProcessed.inc(labels, batch.events);
    this.batchDuration.observe(labels, batch.seconds);
    this.batchEvents.observe(labels, batch.events);
    this.batchesCommitted.inc({ projection: batch.projection, node: batch.node ?? 'local' });
  }

  leaseChanged(change: LeaseChange): void {
    const labels = { projection: change.projection, segment: String(change.segment ?? 0) };
    this.leaseHeld.set(labels, change.held ? 1 : 0);
    if (change.held && change.takeover === true) this.leaseTakeovers.inc(labels);
  }

  storeError(failure: StoreFailure): void {
    this.storeErrors.inc({
      projection: failure.projection,
      generation: String(failure.generation),
      kind: failure.kind,
    });
  }

  // Commands ---------------------------------------------------------------------------------------

  commandFinished(command: FinishedCommand): void {
    const labels = { method: command.method, route: command.route, status: String(command.status) };
    this.commandDuration.observe(labels, command.seconds);
    this.commands.inc({ ...labels, outcome: commandOutcome(command.status) });
  }

  // Scrape -----------------------------------------------------------------------------------------

  /**
   * The exposition text, with the gauges set from `statuses` (undefined: the runtime has not started) and
   * the names of the definitions skipped as broken (state `broken-definition`). Gauges are cleared first
   * so a dropped generation or removed projection disappears.
   */
  scrape(
    statuses: readonly ProjectionStatus[] | undefined,
    brokenDefinitions: readonly string[] = [],
    now = Date.now(),
  ): Promise<string> {
    for (const gauge of [this.checkpoint, this.head, this.lagEvents, this.lagSeconds, this.parked, this.held])
      gauge.reset();
    this.state.reset();
    this.stalledSeconds.reset();
    this.runtimeStarted.set(statuses === undefined ? 0 : 1);
    for (const name of brokenDefinitions) this.setState(name, 'broken-definition');
    for (const status of statuses ?? []) {
      this.setState(status.name, status.state);
      if (status.stall !== null) {
        this.stalledSeconds.set(
          { projection: status.name, store: status.stall.store, kind: status.stall.kind },
          Math.max(0, (now - status.stall.since.getTime()) / 1000),
        );
      }
      for (const [role, generation] of [
        ['live', status.live],
        ['rebuild', status.rebuild],
      ] as const) {
        if (generation !== null) this.setGeneration(status.name, role, generation);
      }
    }
    return this.registry.metrics();
  }

  /** Every state gets a series, so an alert on `state="stalled"` sees 0 rather than nothing. */
  private setState(projection: string, current: string): void {
    for (const state of PROJECTION_STATES) this.state.set({ projection, state }, state === current ? 1 : 0);
  }

  private setGeneration(projection: string, role: string, status: GenerationStatus): void {
    const labels = { projection, generation: String(status.generation), role };
    this.checkpoint.set(labels, Number(status.checkpoint));
    this.head.set(labels, Number(status.head));
    this.lagEvents.set(labels, Number(status.behind));
    if (status.lagSeconds !== null) this.lagSeconds.set(labels, status.lagSeconds);
    this.parked.set(labels, status.parked);
    this.held.set(labels, status.held);
  }

  private generationGauge(name: string, help: string): Gauge<(typeof GENERATION_LABELS)[number]> {
    return new Gauge({ name, help, labelNames: GENERATION_LABELS, registers: [this.registry] });
  }
}
