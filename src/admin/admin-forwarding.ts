/**
 * An admin request for a projection another node runs (issue #15): written to the coordination store,
 * run there by the owner's AdminRequestExecutor, and answered here with the owner's outcome, the same JSON
 * (or the same error) a request sent to the owner itself gets. Bounded: past `waitMs` it answers 504
 * `admin_request_timeout`, and the request stays queued for the owner (documented in src/admin/README.md).
 */
import type { AdminAction, CoordinationStore, AdminRequestRecord } from '../coordination/coordination.port';
import { AdminRequestTimeoutError, CoordinationUnavailableError, ForwardedAdminError } from './admin.errors';
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
    const remaining = waitMs - (Date.now() - started);
    if (remaining <= 0) throw new AdminRequestTimeoutError(submitted.id, projection, options.owner, waitMs);
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 100, remaining)));
  }
}
