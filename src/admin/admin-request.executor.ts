/**
 * Runs, on the node that runs a projection, the admin requests other nodes received for it (issue #15:
 * admin as desired state). Every `pollEveryMs` it asks the coordination store for pending requests of the
 * projections this node runs now, claims each (exactly one node wins a claim), runs it through the same
 * operations a local request uses (LocalAdminOperations), and writes the outcome back: the admin API's
 * JSON, or the failure as the status and body the API would have answered (adminFailureJson). The node
 * that received the request answers with that outcome.
 *
 * One request at a time, oldest first: the runtime serializes operations on one projection anyway.
 */
import type { CoordinationStore } from '../coordination/coordination.port';
import type { RuntimeLogger } from '../runtime/runtime.logger';
import { adminFailureJson } from './admin-http-errors';
import type { LocalAdminOperations } from './local-admin-operations';

export interface AdminRequestExecutorOptions {
  readonly store: CoordinationStore;
  /** This node's id (written as `runBy`). */
  readonly node: string;
  /** The projections this node runs now (it owns their leases). */
  readonly runs: () => readonly string[];
  readonly operations: LocalAdminOperations;
  /** Default 250 ms. */
  readonly pollEveryMs?: number;
  readonly logger: Pick<RuntimeLogger, 'warn' | 'error'>;
  /** Told after each request ran (the node heartbeats at once, so status elsewhere shows its effect). */
  readonly onRan?: () => Promise<void>;
}

export class AdminRequestExecutor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;
  private failing = false;

  constructor(private readonly options: AdminRequestExecutorOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      this.running = this.runPending().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.pollEveryMs ?? 250).unref();
      });
    };
    tick();
  }

  /** Stops polling; a request being run finishes first. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs every pending request of the projections this node runs (exposed for tests). */
  async runPending(): Promise<void> {
    const runs = this.options.runs();
    if (runs.length === 0) return;
    const { store, node } = this.options;
    try {
      const pending = await store.pending(runs);
      this.failing = false;
      for (const request of pending) {
        if (this.stopped) return;
        // The lease may have moved since `pending` was read: leave it to the new owner.
        if (!this.options.runs().includes(request.projection)) continue;
        if (!(await store.claim(request.id, node))) continue;
        let status: 'done' | 'failed' = 'done';
        let outcome: unknown;
        try {
          outcome = await this.options.operations.run(request.action, request.projection, request.args);
        } catch (error) {
          status = 'failed';
          outcome = adminFailureJson(error);
        }
        await store.complete(request.id, status, outcome);
        await this.options.onRan?.().catch(() => undefined);
      }
    } catch (error) {
      // Once per outage: the store being down is also logged by the heartbeat.
      if (!this.failing)
        this.options.logger.warn(
          `Cannot read admin requests from the coordination store (${error instanceof Error ? error.message : String(error)}); retrying.`,
        );
      this.failing = true;
    }
  }
}
