/**
 * Regression for issue #12 item 1, "a projection regex freezes the whole server": on the real app with
 * PostgreSQL, a projection whose expression is `matches("^(a+)+$")` receives the customer id that made
 * JavaScript's RegExp backtrack for hours (36 `a` and a `-`), and a nested-map bomb (10^4 x 10^4). The regex
 * now runs on RE2 and answers at once; the bomb runs out of its evaluation budget and is parked with that
 * reason; /health/live keeps answering and later events keep flowing.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import type { EventStore } from '../../src/eventstore/event-store.port';
import { EVENT_STORE } from '../../src/eventstore/event-store.module';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import type { ProjectionRuntime } from '../../src/runtime/projection-runtime';
import { describeWithStores, useTestDatabase } from '../support/stores';

const NAME = 'customer_classes';
// `event.data` is typed from the catalog (issue #16) and CustomerRegistered has no `lines`: the events that
// carry one are appended straight to the log, and the expression reads it through dyn().
const DEFINITION = `
name: ${NAME}
version: 1
source:
  events: [CustomerRegistered]
target:
  kind: postgres
  table: ${NAME}
  key: customer_id
  columns:
    customer_id: { type: text }
    class: { type: text }
    pairs: { type: bigint }
handlers:
  CustomerRegistered:
    - upsert:
        key: event.data.customerId
        set:
          class: 'event.data.customerId.matches("^(a+)+$") ? "x" : "y"'
          pairs: 'has(event.data.lines) ? dyn(event.data).lines.map(a, dyn(event.data).lines.map(b, a + b)).size() : 0'
`;

describeWithStores(['postgres'], 'hostile projection expressions (issue #12)', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let app: INestApplication;
  let runtime: ProjectionRuntime;
  let store: EventStore;
  let projectionsDir: string;
  const server = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

  beforeAll(async () => {
    projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-hostile-'));
    fs.writeFileSync(path.join(projectionsDir, 'customer-classes.yaml'), DEFINITION);
    app = await createPrismApp(
      loadConfig({ PRISM_PG_URL: database.url, PRISM_PROJECTIONS_DIR: projectionsDir }),
      { logger: false },
    );
    await app.init();
    runtime = await app.get(ProjectionsService).ready();
    store = app.get<EventStore>(EVENT_STORE);
  });

  afterAll(async () => {
    await app?.close();
    if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
  });

  async function register(customerId: string): Promise<bigint> {
    const response = await server()
      .post('/customers')
      .send({ customerId, name: 'Ada', email: `${customerId}@example.com`, city: 'London' })
      .expect(201);
    return BigInt(response.body.position as string);
  }

  /** /health/live must answer within 1 s (the issue: it stopped answering at all). */
  async function live(responseTimeoutMs = 1_000): Promise<void> {
    await server().get('/health/live').timeout({ response: responseTimeoutMs }).expect(200);
  }

  const row = async (customerId: string) =>
    (await server().get(`/views/${NAME}/${customerId}`).expect(200)).body as Record<string, unknown>;

  it('evaluates matches("^(a+)+$") on the catastrophic-backtracking customer id at once, on RE2', async () => {
    const hostile = `${'a'.repeat(36)}-`;
    const position = await register(hostile);
    await live();
    await runtime.waitForCheckpoint(NAME, position);
    expect(await row(hostile)).toMatchObject({ customer_id: hostile, class: 'y', pairs: 0 });
    await runtime.waitForCheckpoint(NAME, await register('aaaa'));
    expect(await row('aaaa')).toMatchObject({ class: 'x' });
    expect(await runtime.listParked(NAME)).toEqual([]);
  });

  it('parks a nested-map bomb with the budget reason while later events keep flowing', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => i);
    const bomb = await store.append(
      'customer-bomb',
      [
        {
          type: 'CustomerRegistered',
          data: { customerId: 'bomb', name: 'B', email: 'b@example.com', lines },
        },
      ],
      'any',
    );
    await live();
    const after = await register('after-bomb');
    await live();
    await runtime.waitForCheckpoint(NAME, after);

    const parked = await runtime.listParked(NAME);
    expect(parked.map((event) => [event.position, event.status, event.keys])).toEqual([
      [bomb.position, 'parked', ['bomb']],
    ]);
    expect(parked[0]!.reason).toContain('handlers.CustomerRegistered[0].upsert.set.pairs');
    expect(parked[0]!.reason).toContain('expression budget exceeded: ');
    expect(await row('after-bomb')).toMatchObject({ class: 'y', pairs: 0 });
    await server().get(`/views/${NAME}/bomb`).expect(404);
  });

  it('stays responsive while a batch of many budget-exceeding events is folded (slices of the fold)', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => i);
    const bombs = Array.from({ length: 80 }, (_, i) => ({
      type: 'CustomerRegistered',
      data: { customerId: `bomb-${i}`, name: 'B', email: `b${i}@example.com`, lines },
    }));
    // One append: the runner reads all 80 in one batch, each worth up to ~0.1 s of CEL before its budget
    // stops it; folded at once they would hold the event loop for seconds.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const appended = await store.append('customer-bombs', bombs, 'any');
    let settled = false;
    const done = runtime.waitForCheckpoint(NAME, appended.position).finally(() => (settled = true));
    // Awaited below; without this a probe that fails first would leave the wait's rejection unhandled, and
    // Jest would report it against whichever suite runs next in this worker.
    done.catch(() => undefined);
    let probes = 0;
    while (!settled) {
      // The 1 s bound is asserted on the event loop's own stall below. A probe's response time also counts
      // the other test workers' load on this machine, so it gets more room, still enough to catch a server
      // that stopped answering.
      await live(5_000);
      probes += 1;
    }
    await done;
    delay.disable();
    // The bound: the server answers within 1 s. Folded in one go, these events held the event
    // loop for ~1.8 s on this machine; in slices of FOLD_SLICE_MS the longest stall was ~0.12 s.
    expect(delay.max / 1e6).toBeLessThan(1_000);
    expect(probes).toBeGreaterThan(0);
    const parked = await runtime.listParked(NAME);
    expect(parked.filter((event) => event.streamId === 'customer-bombs')).toHaveLength(80);
  });
});
