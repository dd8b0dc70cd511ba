/**
 * What SIGTERM (and SIGINT) do to a running Prism (issue #18):
 *  1. drain: readiness answers 503 and new commands get 503 `shutting_down` with Retry-After;
 *  2. wait for the requests already running to be answered (at most half the timeout);
 *  3. close the app: the HTTP server closes, each projection finishes the batch it is committing (a batch
 *     commits with its checkpoint, atomically, or not at all) and stops, every store client closes;
 *  4. exit 0, or 1 when the timeout (PRISM_SHUTDOWN_TIMEOUT_MS) cut any of this short.
 * Hook for the scale-out issue: a projection lease is released in an `onApplicationShutdown` hook of
 * the module that holds it; step 3 runs those hooks, after the last batch committed and before the exit.
 * A second signal while shutting down is ignored; the orchestrator's SIGKILL after its grace period
 * remains the hard stop, and loses nothing either (checkpoints are atomic with their batch).
 */
import type { INestApplication } from '@nestjs/common';
import type { ShutdownGate } from './shutdown-gate';

export interface ShutdownLog {
  log(message: string): void;
  warn(message: string): void;
}

export function installGracefulShutdown(
  app: INestApplication,
  gate: ShutdownGate,
  options: { readonly timeoutMs: number; readonly log: ShutdownLog; readonly exit?: (code: number) => void },
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (started) return;
    started = true;
    void shutDown(signal).then(exit);
  };
  const shutDown = async (signal: NodeJS.Signals): Promise<number> => {
    const began = Date.now();
    options.log.log(`${signal}: draining (new commands get 503 shutting_down), then stopping`);
    gate.startDraining();
    const idle = await gate.waitUntilIdle(options.timeoutMs / 2);
    if (!idle)
      options.log.warn(`${gate.requestsInFlight} request(s) still running after ${options.timeoutMs / 2} ms`);
    const remaining = Math.max(0, options.timeoutMs - (Date.now() - began));
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      app.close().then(
        () => true,
        (error: unknown) => {
          options.log.warn(`closing failed: ${error instanceof Error ? error.message : String(error)}`);
          return false;
        },
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), remaining);
      }),
    ]);
    clearTimeout(timer);
    if (!closed) {
      options.log.warn(
        `stopped after ${Date.now() - began} ms without a clean close (PRISM_SHUTDOWN_TIMEOUT_MS)`,
      );
      return 1;
    }
    options.log.log(`stopped cleanly in ${Date.now() - began} ms`);
    return idle ? 0 : 1;
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
