/**
 * An admin request for a projection another node runs (issue #15): written to the coordination store,
 * run there by the owner's AdminRequestExecutor, and answered here with the owner's outcome, the same JSON
 * (or the same error) a request sent to the owner itself gets. Bounded: past `waitMs` it answers 504
 * `admin_request_timeout`, and the request stays queued for the owner (documented in src/admin/README.md).
 * A request whose node claimed it and died (its heartbeat lapsed) would otherwise stay `running` for ever:
 * the waiting node marks it failed and answers 503 `admin_request_abandoned` instead of waiting it out.
 */
import type { AdminAction, CoordinationStore, AdminRequestRecord } from '../coordination/coordination.port';
import {
  AdminRequestAbandonedError,
  AdminRequestTimeoutError,
  CoordinationUnavailableError,
  ForwardedAdminError,
} from './admin.errors';
import { adminFailureJson } from './admin-http-errors';
import type { AdminFailureJson } from './admin-http-errors';

export interface ForwardOptions {
  readonly store: CoordinationStore;
  /** This node's id (the request's `from`). */
  readonly from: string;
  /** The node that holds the lease now, for the timeout's message. */
  readonly owner: string;
  readonly waitMs: number;
  /** How often the outcome is read. Default 100 ms. */
  readonly pollMs?: number;
  /** How often, while the request is `running`, its node's heartbeat is checked. Default 1 s. */
  readonly liveCheckMs?: number;
}

/**
 * Sends the request and resolves with the owner's outcome.
 * @throws ForwardedAdminError with the owner's status and body when it failed there;
 *   AdminRequestTimeoutError when no outcome came within `waitMs`.
 */
export async function forwardAdminRequest<T>(
  options: ForwardOptions,
  projection: string,
  action: AdminAction,
  args: Readonly<Record<string, string>> = {},
): Promise<T> {
  const { store, waitMs } = options;
  const started = Date.now();
  const submitted = await store
    .submit({ projection, action, args, from: options.from })
    .catch((error: unknown) => {
      throw new CoordinationUnavailableError(projection, error);
    });
  let nextLiveCheck = 0;
  for (;;) {
    // A read that fails (the store blinked) is retried until the wait runs out.
    const request: AdminRequestRecord | undefined = await store
      .readRequest(submitted.id)
      .catch(() => undefined);
    if (request?.status === 'done') return request.outcome as T;
    if (request?.status === 'failed') {
      const failure = request.outcome as Partial<AdminFailureJson> | null;
      throw new ForwardedAdminError(
        typeof failure?.status === 'number' ? failure.status : 500,
        typeof failure?.body === 'object' && failure.body !== null
          ? failure.body
          : {
              error: 'admin_request_failed',
              message: `admin request ${submitted.id} failed on ${request.runBy ?? 'the owner'}`,
            },
      );
    }
    if (request?.status === 'running' && request.runBy !== null && Date.now() >= nextLiveCheck) {
      nextLiveCheck = Date.now() + (options.liveCheckMs ?? 1_000);
      if (await stoppedRunning(store, request.runBy)) {
        const abandoned = new AdminRequestAbandonedError(submitted.id, projection, request.runBy);
        // Only a request still `running` is marked; if its node answered meanwhile, the next read has it.
        const marked = await store.complete(submitted.id, 'failed', adminFailureJson(abandoned)).then(
          () => true,
          () => false,
        );
        if (marked) throw abandoned;
        continue;
      }
    }
    const remaining = waitMs - (Date.now() - started);
    if (remaining <= 0) throw new AdminRequestTimeoutError(submitted.id, projection, options.owner, waitMs);
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 100, remaining)));
  }
}

/** Whether the node is no longer announced alive (a read that fails says nothing: it is not abandoned). */
async function stoppedRunning(store: CoordinationStore, node: string): Promise<boolean> {
  const nodes = await store.listNodes().catch(() => undefined);
  if (nodes === undefined) return false;
  return !nodes.some((candidate) => candidate.id === node && candidate.alive);
}
