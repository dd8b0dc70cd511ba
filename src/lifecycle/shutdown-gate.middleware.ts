/**
 * Counts every request while it runs, and refuses the ones that change something once the node drains.
 * GET, HEAD and OPTIONS are still answered while draining: reads are harmless and a load balancer may
 * take a moment to notice readiness turning 503.
 */
import type { HttpRequest, HttpResponse, NextFunction } from '../http/http.types';
import { ShuttingDownError, type ShutdownGate } from './shutdown-gate';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Long enough for a rolling deploy to bring another node up behind the load balancer. */
const RETRY_AFTER_SECONDS = 5;

/** Express's response is a Node ServerResponse, which emits `finish` (answered) or `close` (cut). */
type ObservedResponse = HttpResponse & { once(event: 'finish' | 'close', listener: () => void): unknown };

export function shutdownGateMiddleware(gate: ShutdownGate) {
  return (request: HttpRequest, response: ObservedResponse, next: NextFunction): void => {
    if (gate.isDraining && !READ_METHODS.has(request.method)) {
      next(new ShuttingDownError(RETRY_AFTER_SECONDS));
      return;
    }
    const leave = gate.enter();
    response.once('finish', leave);
    response.once('close', leave);
    next();
  };
}
