/**
 * Store outages at random moments against a running Prism process (issue #12 item 11), shared by
 * test/e2e/store-connection-reset.e2e.spec.ts (a few cuts) and bench/store-outage-loop.ts (as many as you
 * like); outage-verdict.ts judges the result against the log.
 *
 * Prism reaches every store through a TcpProxy. Writers keep sending commands (customer, product, order,
 * item: every projection sees the item) while a cut resets every open connection of one store and refuses
 * new ones for a while, then the proxy comes back. Everything needed to judge the run is recorded:
 * each command's answer and when it was sent, each cut's window, and how long the projections took after
 * the store's return to reach the log position they were behind (`catchUpMs`).
 */
import { Client } from 'pg';
import type { TcpProxy } from './tcp-proxy';

export type OutageStore = 'postgres' | 'elasticsearch' | 'neo4j';

/**
 * When a cut lands: `writing` at a random moment while commands flow; `append` (PostgreSQL only) the moment
 * an event store transaction is seen open, `view-commit` the moment a PostgreSQL view's batch transaction
 * is (both seen in pg_stat_activity, so the reset hits a connection that a caller holds: the crash of
 * issue #12 item 11); `idle` while nothing moves, so only the LISTEN connection and idle pooled ones are hit.
 */
export type CutMoment = 'writing' | 'append' | 'view-commit' | 'idle';

export interface PlannedCut {
  readonly store: OutageStore;
  readonly moment: CutMoment;
}

export interface CommandOutcome {
  readonly stream: string;
  readonly eventType: string;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** HTTP status; 0 when Prism did not answer at all (connection refused: the process is gone). */
  readonly status: number;
  readonly body: { error?: string; message?: string };
  readonly retryAfter: string | undefined;
  /** A 503 saying the append may have committed (connection lost during COMMIT). */
  readonly outcomeUnknown: boolean;
}

export interface CutReport extends PlannedCut {
  readonly cutAt: number;
  readonly restoredAt: number;
  /** From the store's return until every projection reached the log position it was behind then. */
  readonly catchUpMs: number;
  /** Commands answered 503 / 2xx while the store was cut. */
  readonly unavailable: number;
  readonly accepted: number;
}

export interface CampaignOptions {
  readonly prismUrl: string;
  readonly apiKey: string;
  readonly proxies: Readonly<Record<OutageStore, { proxy: TcpProxy; port: number }>>;
  /** A direct (not proxied) connection URL of the event log's database, to read positions and streams. */
  readonly logUrl: string;
  /** The event log's schema (PRISM_PG_SCHEMA). */
  readonly logSchema: string;
  /** The projections that must catch up after each cut. */
  readonly projections: readonly string[];
  readonly cuts: readonly PlannedCut[];
  readonly random: () => number;
  /** How long a cut lasts, drawn from [min, max). Default [1000, 3000). */
  readonly downMs?: readonly [number, number];
  /** Longest wait for the projections to catch up after a cut, before the campaign fails. Default 60 s. */
  readonly catchUpTimeoutMs?: number;
  /** Unique prefix of the run's entity ids. */
  readonly runId: string;
  readonly writers?: number;
  readonly log?: (line: string) => void;
  /** False once Prism is gone: the campaign then stops at once instead of waiting for its bounds. */
  readonly alive?: () => boolean;
}

export interface CampaignReport {
  readonly cuts: readonly CutReport[];
  readonly commands: readonly CommandOutcome[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runOutageCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const log = options.log ?? (() => undefined);
  const [minDown, maxDown] = options.downMs ?? [1000, 3000];
  const catchUpTimeoutMs = options.catchUpTimeoutMs ?? 60_000;
  const logDb = new Client({ connectionString: options.logUrl });
  await logDb.connect();
  const writers = new Writers(options);
  const cuts: CutReport[] = [];
  try {
    writers.start(options.writers ?? 2);
    await writers.waitForAccepted(20, 60_000);
    for (const planned of options.cuts) {
      if (planned.moment === 'idle') {
        await writers.pause();
        await waitForCatchUp(options, await lastItemPosition(logDb, options.logSchema), catchUpTimeoutMs);
      }
      await sleep(200 + options.random() * 1300);
      if (planned.moment === 'append' || planned.moment === 'view-commit')
        await waitForOpenTransaction(logDb, planned.moment, 10_000);
      const { proxy, port } = options.proxies[planned.store];
      const cutAt = Date.now();
      await proxy.stop({ reset: true });
      const downMs = minDown + options.random() * (maxDown - minDown);
      if (planned.store === 'postgres' && planned.moment !== 'idle') {
        // A cut of the log must have been seen by commands: wait for a 503 (bounded) before restoring.
        await writers.waitForUnavailable(cutAt, Math.max(downMs, 10_000));
      }
      const elapsed = Date.now() - cutAt;
      if (elapsed < downMs) await sleep(downMs - elapsed);
      const behind = await lastItemPosition(logDb, options.logSchema);
      await proxy.start(port);
      const restoredAt = Date.now();
      if (planned.moment === 'idle') {
        // Nothing was behind: measure how soon a new event gets through (LISTEN and pools reconnect).
        writers.resume();
        const probe = await writers.nextAcceptedItem(restoredAt, catchUpTimeoutMs);
        await waitForCatchUp(options, probe, catchUpTimeoutMs);
      } else {
        await waitForCatchUp(options, behind, catchUpTimeoutMs);
      }
      const catchUpMs = Date.now() - restoredAt;
      const during = writers.outcomes.filter((c) => c.sentAt >= cutAt && c.answeredAt <= restoredAt);
      const report: CutReport = {
        ...planned,
        cutAt,
        restoredAt,
        catchUpMs,
        unavailable: during.filter((c) => c.status === 503).length,
        accepted: during.filter((c) => c.status >= 200 && c.status < 300).length,
      };
      cuts.push(report);
      log(
        `cut ${cuts.length}/${options.cuts.length}: ${planned.store} (${planned.moment}) down ${restoredAt - cutAt} ms, ` +
          `caught up ${catchUpMs} ms after its return; commands meanwhile: ${report.unavailable}×503, ${report.accepted}×2xx`,
      );
    }
    await writers.stop();
    await waitForCatchUp(options, await lastItemPosition(logDb, options.logSchema), catchUpTimeoutMs);
    return { cuts, commands: writers.outcomes };
  } finally {
    await writers.stop();
    await logDb.end();
  }
}

/**
 * Returns as soon as a transaction of the event store (`append`) or of the relational target's pool
 * (`view-commit`, application_name prism-target) is open in the app's database; gives up after `timeoutMs`
 * (the cut then lands wherever it lands).
 */
async function waitForOpenTransaction(
  db: Client,
  moment: 'append' | 'view-commit',
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const application =
    moment === 'append' ? `application_name <> 'prism-target'` : `application_name = 'prism-target'`;
  while (Date.now() < deadline) {
    const rows = await db.query<{ open: string }>(
      `SELECT count(*)::text AS open FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
         AND state <> 'idle' AND ${application}`,
    );
    if (rows.rows[0]?.open !== '0') return;
  }
}

/** Position of the last ItemAdded in the log (every projection reads ItemAdded), 0n if none. */
async function lastItemPosition(db: Client, schema: string): Promise<bigint> {
  const rows = await db.query<{ position: string | null }>(
    `SELECT max(position)::text AS position FROM "${schema}".events WHERE type = 'ItemAdded'`,
  );
  return BigInt(rows.rows[0]?.position ?? '0');
}

/** Waits until every projection's live checkpoint is at `position` or beyond (admin API, polled). */
async function waitForCatchUp(options: CampaignOptions, position: bigint, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (options.alive?.() === false) throw new Error('Prism exited during the campaign');
    const response = await fetch(`${options.prismUrl}/admin/projections`, {
      headers: { 'X-API-Key': options.apiKey },
    }).catch(() => undefined);
    if (response?.ok === true) {
      const { projections } = (await response.json()) as {
        projections: { name: string; state: string; live: { checkpoint: string } | null }[];
      };
      const wanted = projections.filter((p) => options.projections.includes(p.name));
      last = JSON.stringify(wanted.map((p) => [p.name, p.state, p.live?.checkpoint]));
      if (
        wanted.length === options.projections.length &&
        wanted.every((p) => p.live !== null && BigInt(p.live.checkpoint) >= position)
      )
        return;
    }
    await sleep(50);
  }
  throw new Error(`projections did not reach position ${position} within ${timeoutMs} ms: ${last}`);
}

/**
 * Command writers: each loops over units (customer, product, order, item), a 503 abandons the unit.
 * Also used by the multi-process tests (test/multiproc/), against the api node.
 */
export class Writers {
  readonly outcomes: CommandOutcome[] = [];
  private running = false;
  private paused = false;
  private loops: Promise<void>[] = [];
  private unit = 0;
  private inFlight = 0;

  constructor(private readonly options: Pick<CampaignOptions, 'prismUrl' | 'apiKey' | 'runId'>) {}

  start(count: number): void {
    this.running = true;
    for (let i = 0; i < count; i += 1) this.loops.push(this.loop());
  }

  /** Stops sending and waits until no command is in flight. */
  async pause(): Promise<void> {
    this.paused = true;
    while (this.inFlight > 0) await sleep(10);
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  async waitForAccepted(count: number, timeoutMs: number): Promise<void> {
    await this.until(
      () => this.outcomes.filter((c) => c.status >= 200 && c.status < 300).length >= count,
      timeoutMs,
    );
  }

  async waitForUnavailable(since: number, timeoutMs: number): Promise<void> {
    await this.until(() => this.outcomes.some((c) => c.sentAt >= since && c.status === 503), timeoutMs).catch(
      () => undefined,
    );
  }

  /** The position of the first ItemAdded accepted from a command sent after `since`. */
  async nextAcceptedItem(since: number, timeoutMs: number): Promise<bigint> {
    let found: CommandOutcome | undefined;
    await this.until(() => {
      found = this.outcomes.find((c) => c.sentAt >= since && c.eventType === 'ItemAdded' && c.status === 202);
      return found !== undefined;
    }, timeoutMs);
    return BigInt((found!.body as { position?: string }).position ?? '0');
  }

  private async until(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.paused) {
        await sleep(20);
        continue;
      }
      const n = (this.unit += 1);
      const id = (kind: string) => `${kind}-${this.options.runId}-${n}`;
      const [customerId, productId, orderId] = [id('c'), id('p'), id('o')];
      const steps: [string, string, string, object][] = [
        [
          '/customers',
          `customer-${customerId}`,
          'CustomerRegistered',
          { customerId, name: `Ada ${n}`, email: `${customerId}@example.com`, city: 'London' },
        ],
        [
          '/products',
          `product-${productId}`,
          'ProductListed',
          { productId, title: 'Lamp', description: 'A lamp', category: 'home', price: 1500, tags: ['light'] },
        ],
        ['/orders', `order-${orderId}`, 'OrderPlaced', { orderId, customerId }],
        [`/orders/${orderId}/items`, `order-${orderId}`, 'ItemAdded', { productId, qty: 1 + (n % 3) }],
      ];
      for (const [route, stream, eventType, body] of steps) {
        const outcome = await this.send(route, stream, eventType, body);
        if (outcome.status < 200 || outcome.status >= 300) {
          // Back off a little while a store is down, as a client honouring Retry-After would (less).
          await sleep(outcome.status === 0 ? 200 : 50);
          break;
        }
      }
    }
  }

  private async send(
    route: string,
    stream: string,
    eventType: string,
    body: object,
  ): Promise<CommandOutcome> {
    const sentAt = Date.now();
    this.inFlight += 1;
    let outcome: CommandOutcome;
    try {
      const response = await fetch(`${this.options.prismUrl}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-API-Key': this.options.apiKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const answer = (await response.json().catch(() => ({}))) as CommandOutcome['body'];
      outcome = {
        stream,
        eventType,
        sentAt,
        answeredAt: Date.now(),
        status: response.status,
        body: answer,
        retryAfter: response.headers.get('retry-after') ?? undefined,
        outcomeUnknown:
          response.status === 503 && /may or may not have been written/.test(answer.message ?? ''),
      };
    } catch {
      outcome = {
        stream,
        eventType,
        sentAt,
        answeredAt: Date.now(),
        status: 0,
        body: {},
        retryAfter: undefined,
        outcomeUnknown: false,
      };
    } finally {
      this.inFlight -= 1;
    }
    this.outcomes.push(outcome);
    return outcome;
  }
}
