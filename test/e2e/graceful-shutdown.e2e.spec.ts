/**
 * SIGTERM under load (issue #18): Prism as a real process takes commands from four writers; on SIGTERM it
 * refuses new commands (503 shutting_down with Retry-After), answers the ones already running, finishes
 * the batch its projections are committing, and exits 0. Nothing acknowledged is lost, the view holds
 * exactly the events up to its stored checkpoint (no half batch), and the next start resumes there and
 * catches up to the log, with no event applied twice (item counts would show it).
 */
import { Client } from 'pg';
import { startPrismProcess, type PrismProcess } from '../support/prism-process';
import { describeWithStores, useTestDatabase } from '../support/stores';

const ORDERS = ['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6', 'o-7', 'o-8'];
const WRITERS = 4;
/** Acknowledged commands before the signal: enough that batches are being committed when it lands. */
const ACKS_BEFORE_SIGNAL = 40;

interface Outcome {
  readonly orderId: string;
  readonly status: number | 'connection-error';
  readonly error?: string;
  readonly retryAfter?: string | null;
}

async function post(base: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describeWithStores(['postgres'], 'graceful shutdown on SIGTERM', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let prism: PrismProcess | undefined;
  const env = () => ({ PRISM_PG_URL: database.url, PRISM_PROJECTIONS_DIR: 'projections' });

  afterAll(async () => {
    await prism?.stop(2_000);
  });

  it('drains commands, finishes the batch in flight, exits 0, and the next start resumes at the checkpoint', async () => {
    prism = await startPrismProcess(env());
    const base = prism.url;
    expect(
      (
        await post(base, '/customers', {
          customerId: 'c-1',
          name: 'Ada',
          email: 'ada@example.com',
          city: 'Oslo',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await post(base, '/products', {
          productId: 'p-1',
          title: 'Lamp',
          description: 'A lamp',
          category: 'home',
          price: 100,
          tags: [],
        })
      ).status,
    ).toBe(201);
    for (const orderId of ORDERS)
      expect((await post(base, '/orders', { orderId, customerId: 'c-1' })).status).toBe(201);

    const outcomes: Outcome[] = [];
    let acknowledged = 0;
    let signalled: () => void = () => undefined;
    const signalSent = new Promise<void>((resolve) => (signalled = resolve));
    const writer = async (index: number) => {
      for (let i = 0; ; i++) {
        const orderId = ORDERS[(index + i * WRITERS) % ORDERS.length]!;
        try {
          const response = await post(base, `/orders/${orderId}/items`, { productId: 'p-1', qty: 1 });
          const body = (await response.json()) as { error?: string };
          outcomes.push({
            orderId,
            status: response.status,
            error: body.error,
            retryAfter: response.headers.get('retry-after'),
          });
          if (response.status === 202 && ++acknowledged === ACKS_BEFORE_SIGNAL) signalled();
          if (response.status === 503) await new Promise((resolve) => setTimeout(resolve, 20));
        } catch {
          // The server closed after draining: nothing more will be taken.
          outcomes.push({ orderId, status: 'connection-error' });
          return;
        }
      }
    };
    const writers = Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(index)));
    await signalSent;
    const stopped = prism.stop(60_000);
    await Promise.all([writers, stopped]);

    expect(prism.exited()).toEqual({ code: 0, signal: null });
    expect(prism.output()).toMatch(/Shutdown: stopped cleanly/);
    const statuses = new Set(outcomes.map((o) => o.status));
    process.stdout.write(
      `graceful shutdown: ${outcomes.filter((o) => o.status === 202).length} acknowledged, ${outcomes.filter((o) => o.status === 503).length} refused while draining\n`,
    );
    for (const status of statuses) expect([202, 503, 'connection-error']).toContain(status);
    for (const refused of outcomes.filter((o) => o.status === 503)) {
      expect(refused.error).toBe('shutting_down');
      expect(refused.retryAfter).toBe('5');
    }

    // Nothing acknowledged is lost: the log holds exactly the acknowledged items (refused ones wrote nothing).
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const acked = new Map<string, number>();
      for (const o of outcomes) if (o.status === 202) acked.set(o.orderId, (acked.get(o.orderId) ?? 0) + 1);
      const logged = await db.query<{ stream_id: string; n: string }>(
        `SELECT stream_id, count(*) AS n FROM prism.events WHERE type = 'ItemAdded' GROUP BY stream_id`,
      );
      const inLog = new Map(logged.rows.map((row) => [row.stream_id.replace(/^order-/, ''), Number(row.n)]));
      expect(inLog).toEqual(acked);

      // No half batch: the view holds exactly the items of the events up to its stored checkpoint.
      const checkpoint = await db.query<{ position: string }>(
        `SELECT c.position FROM prism.prism_checkpoints c JOIN prism.prism_projections p
           ON p.name = c.projection AND p.active_generation = c.generation WHERE c.projection = 'order_summary'`,
      );
      const position = checkpoint.rows[0]!.position;
      const upTo = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM prism.events WHERE type = 'ItemAdded' AND position <= $1`,
        [position],
      );
      const inView = await db.query<{ n: string }>(
        `SELECT coalesce(sum(item_count), 0) AS n FROM prism.order_summary`,
      );
      expect(Number(inView.rows[0]!.n)).toBe(Number(upTo.rows[0]!.n));
      const head = await db.query<{ p: string }>(`SELECT max(position) AS p FROM prism.events`);

      // The next start resumes at that checkpoint and catches up: every logged item counted once.
      prism = await startPrismProcess(env());
      const response = await fetch(
        `${prism.url}/views/order_summary?after=${head.rows[0]!.p}&limit=100&fields=order_id,item_count`,
      );
      expect(response.status).toBe(200);
      const { items } = (await response.json()) as { items: { order_id: string; item_count: number }[] };
      expect(
        new Map(items.filter((row) => row.item_count > 0).map((row) => [row.order_id, row.item_count])),
      ).toEqual(acked);
    } finally {
      await db.end();
    }
  }, 240_000);
});
