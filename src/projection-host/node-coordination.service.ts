/**
 * This process as a node among other Prism processes (issue #15): opens the coordination store (given,
 * or derived from the configured stores, src/coordination/resolve-coordination.ts) and runs this node's lease
 * keeper (OwnershipCoordinator, src/coordination/ownership/), which announces the node (id, role, version,
 * the fingerprints of its definitions, a report of what it runs) every `node.renewEveryMs`, so
 * `GET /admin/nodes` and every node's status see it, and, handed to the runtime (`ownership`), holds the
 * leases of the projections this node runs.
 *
 * Every role heartbeats, api nodes too (report null: they run nothing). A single `all` process heartbeats
 * into its in-process store the same way (its runtime gets no keeper: it runs everything it loaded), so
 * the admin API answers alike with one process or many.
 *
 * ProjectionsService drives it: opens it before the runtime starts and stops it after the runtime stopped
 * (so leases are released before the node's announcement goes), which is why it has no shutdown hook.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CoordinationStore, PrismRole } from '../coordination/coordination.port';
import { createCoordinationStore } from '../coordination/coordination-store.factory';
import { OwnershipCoordinator } from '../coordination/ownership/ownership-coordinator';
import { prismVersion } from '../coordination/prism-version';
import { nestRuntimeLogger } from '../observability/logging/runtime-logger';
import { PRISM_CONFIG, type PrismConfig } from '../nest/prism-config';
import type { ResolvedNode } from '../coordination/resolve-coordination';

/** What a node publishes about the projections it runs (its announcement's `report`). */
export interface NodeReport {
  /** Local time the report was taken (ISO 8601). */
  readonly at: string;
  /** The admin API's status JSON of each projection this node runs (owns). */
  readonly projections: readonly unknown[];
}

@Injectable()
export class NodeCoordinationService {
  private readonly logger = new Logger('Coordination');
  readonly role: PrismRole;
  readonly node: ResolvedNode;
  private store: CoordinationStore | undefined;
  /** Whether Prism made the store (then it closes it). */
  private owned = false;
  private report: () => NodeReport | null = () => null;
  private keeper: OwnershipCoordinator | undefined;
  private lastFailure: string | undefined;
  private stopped = false;

  constructor(@Inject(PRISM_CONFIG) private readonly config: PrismConfig) {
    this.role = config.role;
    this.node = config.node;
  }

  /** Whether other processes can share this store (false: one process, role `all`). */
  get shared(): boolean {
    const source = this.config.coordination;
    return source.kind === 'store' ? source.store.shared : source.settings.kind !== 'in-process';
  }

  /**
   * The lease keeper to give the runtime: on nodes that run projections with a shared store (undefined
   * otherwise: one process runs everything it loaded, an api node runs nothing). Set by `startHeartbeat`.
   */
  get ownership(): OwnershipCoordinator | undefined {
    return this.shared && this.role !== 'api' ? this.keeper : undefined;
  }

  /** The open store, undefined before `open` succeeded. */
  get storeIfOpen(): CoordinationStore | undefined {
    return this.store;
  }

  /**
   * Opens the store (creating its records), retrying with a capped backoff while it is unreachable and
   * `stopping()` is false. Undefined when stopped first.
   */
  async open(stopping: () => boolean): Promise<CoordinationStore | undefined> {
    if (this.store !== undefined) return this.store;
    const source = this.config.coordination;
    for (let attempt = 0; !stopping(); attempt++) {
      try {
        if (source.kind === 'store') {
          await source.store.initialize();
          this.store = source.store;
        } else {
          this.store = await createCoordinationStore(source.settings, {
            warn: (message) => this.logger.warn(message),
          });
          this.owned = true;
        }
        return this.store;
      } catch (error) {
        const delay = Math.min(5_000, 500 * 2 ** attempt);
        this.logger.error(
          `Cannot open the coordination store (${messageOf(error)}); retrying in ${delay / 1000}s.`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
    return undefined;
  }

  /**
   * Starts the lease keeper, which heartbeats the announcement (with a fresh report) every renewEveryMs.
   * `report` says what this node runs; api nodes give none. Resolves once the node is announced (or the
   * first heartbeat failed: it retries on its own).
   */
  async startHeartbeat(
    definitions: Readonly<Record<string, string>>,
    report?: () => NodeReport | null,
  ): Promise<void> {
    if (report !== undefined) this.report = report;
    const store = this.store;
    if (store === undefined || this.keeper !== undefined || this.stopped) return;
    const { id, leaseTtlMs, renewEveryMs, pollEveryMs, heartbeatTtlMs } = this.node;
    this.keeper = new OwnershipCoordinator({
      store,
      node: {
        id,
        role: this.role,
        version: prismVersion(),
        // A node that runs projections announces the runtime's own (those it can run); an api node its catalog.
        ...(this.role === 'api' && { definitions }),
      },
      settings: { leaseTtlMs, renewEveryMs, pollEveryMs, heartbeatTtlMs },
      report: () => this.report(),
      logger: nestRuntimeLogger(this.logger),
    });
    await this.keeper.start().catch((error: unknown) => this.failed(error));
  }

  /** One heartbeat now (after an admin operation, so the others see its effect at once). */
  async heartbeatOnce(): Promise<void> {
    if (this.keeper === undefined || this.stopped) return;
    await this.keeper.heartbeatNow().then(
      () => (this.lastFailure = undefined),
      (error: unknown) => this.failed(error),
    );
  }

  private failed(error: unknown): void {
    const message = messageOf(error);
    // Once per outage, not every period.
    if (this.lastFailure === undefined)
      this.logger.error(`Cannot heartbeat to the coordination store (${message}); retrying.`);
    this.lastFailure = message;
  }

  /**
   * Stops the lease keeper (leases released, the announcement removed), and closes the store if Prism
   * opened it. After the runtime stopped.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.keeper?.stop().catch((error: unknown) => this.failed(error));
    if (this.owned) await this.store?.close().catch(() => undefined);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
