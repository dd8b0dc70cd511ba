/**
 * Issue #15, admin from any node: a request written to the coordination store (here the in-process one) is
 * run by the node that runs the projection (AdminRequestExecutor over a real ProjectionRuntime) and answered
 * with its outcome; a failure comes back as the status and body the owner's admin API answers; no outcome
 * in time is a timeout naming the request; two executors claim a request once.
 */
import { orderSummaryPlan } from '../../test/runtime/fixtures/order-summary.fixture';
import { InMemoryEventStore } from '../../test/runtime/support/in-memory-event-store';
import { InProcessCoordinationStore } from '../coordination/in-process/in-process-coordination-store';
import { ProjectionRuntime } from '../runtime/projection-runtime';
import { silentLogger } from '../runtime/runtime.logger';
import { MemoryTarget } from '../stores/memory/memory.target';
import { forwardAdminRequest } from './admin-forwarding';
import { AdminRequestExecutor } from './admin-request.executor';
import type { ProjectionStatusJson } from './admin.dto';
import {
  AdminRequestAbandonedError,
  AdminRequestTimeoutError,
  CoordinationUnavailableError,
  ForwardedAdminError,
} from './admin.errors';
import { toHttpError } from './admin-http-errors';
import { LocalAdminOperations } from './local-admin-operations';

const plan = orderSummaryPlan();

describe('admin requests forwarded through the coordination store', () => {
  let store: InProcessCoordinationStore;
  let runtime: ProjectionRuntime;
  const executors: AdminRequestExecutor[] = [];

  beforeEach(async () => {
    store = new InProcessCoordinationStore();
    await store.initialize();
    runtime = new ProjectionRuntime({
      store: new InMemoryEventStore(),
      targets: { [plan.target.kind]: new MemoryTarget(plan.target.kind) },
      logger: silentLogger,
    });
    await runtime.start([plan]);
    await waitUntil(async () => runtime.status(plan.name).state === 'live');
  });

  afterEach(async () => {
    ran.clear();
    await Promise.all(executors.splice(0).map((executor) => executor.stop()));
    await runtime.stop();
    await store.close();
  });

  /** Counts the requests each node ran. */
  const ran = new Map<string, number>();

  function executor(node: string): AdminRequestExecutor {
    const operations = new LocalAdminOperations(runtime);
    const run = operations.run.bind(operations);
    operations.run = (...args) => {
      ran.set(node, (ran.get(node) ?? 0) + 1);
      return run(...args);
    };
    const started = new AdminRequestExecutor({
      store,
      node,
      runs: () => [plan.name],
      operations,
      pollEveryMs: 10,
      logger: silentLogger,
    });
    started.start();
    executors.push(started);
    return started;
  }

  const forward = <T>(action: 'pause' | 'resume' | 'replay', args = {}, waitMs = 5_000) =>
    forwardAdminRequest<T>(
      { store, from: 'api-1', owner: 'worker-1', waitMs, pollMs: 10 },
      plan.name,
      action,
      args,
    );

  it('runs a pause on the owner and answers with the owner’s status', async () => {
    executor('worker-1');
    const paused = await forward<ProjectionStatusJson>('pause');
    expect(paused).toMatchObject({ name: plan.name, state: 'paused' });
    expect(runtime.status(plan.name).state).toBe('paused');
    const resumed = await forward<ProjectionStatusJson>('resume');
    expect(resumed.state).not.toBe('paused');
  });

  it('answers a failure on the owner with the status and body its API would answer', async () => {
    executor('worker-1');
    const failure = await forward('replay', { position: '424242' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ForwardedAdminError);
    expect(failure).toMatchObject({ status: 404, body: { error: 'parked_event_not_found' } });
  });

  it('answers a bad position the way the owner does: 400 invalid_position, nothing run', async () => {
    executor('worker-1');
    const failure = await forward('replay', { position: 'not-a-position' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ForwardedAdminError);
    expect(failure).toMatchObject({ status: 400, body: { error: 'invalid_position' } });
    expect(runtime.status(plan.name).state).toBe('live');
  });

  it('answers 503 coordination_unavailable, naming the cause, when the request cannot be written', async () => {
    executor('worker-1');
    const submit = jest.spyOn(store, 'submit').mockRejectedValue(new Error('connection refused'));
    const failure = await forward('pause').catch((error: unknown) => error);
    submit.mockRestore();
    expect(failure).toBeInstanceOf(CoordinationUnavailableError);
    const http = toHttpError(failure) as { getStatus(): number; getResponse(): unknown };
    expect(http.getStatus()).toBe(503);
    expect(http.getResponse()).toMatchObject({ error: 'coordination_unavailable' });
    expect(JSON.stringify(http.getResponse())).toContain('connection refused');
    expect(runtime.status(plan.name).state).toBe('live');
  });

  it('times out naming the request when no owner takes it up; it stays queued', async () => {
    const failure = await forward('pause', {}, 200).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdminRequestTimeoutError);
    const id = (failure as AdminRequestTimeoutError).requestId;
    expect((await store.readRequest(id))?.status).toBe('pending');
    // A node that takes the projection up later runs it.
    executor('worker-2');
    await waitUntil(async () => (await store.readRequest(id))?.status === 'done');
    expect((await store.readRequest(id))?.runBy).toBe('worker-2');
    expect(runtime.status(plan.name).state).toBe('paused');
  });

  /** A node that takes the next request of the projection as soon as it is written, and never answers. */
  async function takenBy(node: string, ttlMs: number): Promise<string> {
    await store.heartbeat(
      { id: node, role: 'worker', version: 'test', definitions: {}, report: null },
      ttlMs,
    );
    for (;;) {
      const [request] = await store.pending([plan.name]);
      if (request !== undefined && (await store.claim(request.id, node))) return request.id;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('answers 503 admin_request_abandoned when the node that took the request stops before answering', async () => {
    const taken = takenBy('worker-dead', 200); // its heartbeat lapses 200 ms after it took the request
    const failure = await forwardAdminRequest(
      { store, from: 'api-1', owner: 'worker-dead', waitMs: 5_000, pollMs: 10, liveCheckMs: 50 },
      plan.name,
      'pause',
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdminRequestAbandonedError);
    const http = toHttpError(failure) as { getStatus(): number; getResponse(): unknown };
    expect(http.getStatus()).toBe(503);
    expect(http.getResponse()).toMatchObject({ error: 'admin_request_abandoned', runBy: 'worker-dead' });
    // Recorded as failed with that answer, so no one waits on it again; it was never run.
    expect(await store.readRequest(await taken)).toMatchObject({
      status: 'failed',
      runBy: 'worker-dead',
      outcome: { status: 503, body: { error: 'admin_request_abandoned' } },
    });
    expect(runtime.status(plan.name).state).toBe('live');
  });

  it('keeps waiting for a node that took the request and is still alive (504 past the wait, not abandoned)', async () => {
    const taken = takenBy('worker-slow', 60_000);
    const failure = await forwardAdminRequest(
      { store, from: 'api-1', owner: 'worker-slow', waitMs: 400, pollMs: 10, liveCheckMs: 50 },
      plan.name,
      'pause',
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdminRequestTimeoutError);
    expect((await store.readRequest(await taken))?.status).toBe('running');
  });

  it('runs a request once when two nodes poll for it', async () => {
    executor('worker-1');
    executor('worker-2');
    for (let i = 0; i < 10; i += 1) await forward<ProjectionStatusJson>(i % 2 === 0 ? 'pause' : 'resume');
    expect((ran.get('worker-1') ?? 0) + (ran.get('worker-2') ?? 0)).toBe(10);
    expect(await store.pending([plan.name])).toEqual([]);
  });
});

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
