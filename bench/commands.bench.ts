/**
 * How fast does the command side write? Boots Prism on the PostgreSQL event store (a fresh database it
 * creates and drops), then for 1, 8 and 32 concurrent HTTP clients sends a fixed number of commands each
 * over loopback (place an order, then add items to it) and prints one table: commands/s, appended events/s,
 * and p50/p99 latency per concurrency level. A last row repeats 32 clients with an Idempotency-Key on every
 * request (each command then also appends a claim and a result to its key's stream).
 *
 *   npx tsx bench/commands.bench.ts [--orders-per-client 25] [--items-per-order 3] [--max-seconds 120]
 *
 * PostgreSQL: PRISM_PG_URL (a server URL; default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { loadConfig } from '../src/config/app-config';
import { createPrismApp } from '../src/main';

const { values: args } = parseArgs({
  options: {
    'orders-per-client': { type: 'string', default: '25' },
    'items-per-order': { type: 'string', default: '3' },
    'max-seconds': { type: 'string', default: '120' },
  },
});
const ORDERS_PER_CLIENT = Number(args['orders-per-client']);
const ITEMS_PER_ORDER = Number(args['items-per-order']);
const DEADLINE = Date.now() + Number(args['max-seconds']) * 1000;
const LEVELS: { clients: number; idempotencyKeys: boolean }[] = [
  { clients: 1, idempotencyKeys: false },
  { clients: 8, idempotencyKeys: false },
  { clients: 32, idempotencyKeys: false },
  { clients: 32, idempotencyKeys: true },
];
const CUSTOMERS = 32;
const PRODUCTS = 8;

const serverUrl = process.env.PRISM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Reply {
  readonly status: number;
  readonly ms: number;
}

function post(base: URL, path: string, body: object, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface LevelResult {
  readonly label: string;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly latencies: number[];
  readonly truncated: boolean;
}

async function runLevel(
  base: URL,
  run: string,
  clients: number,
  idempotencyKeys: boolean,
  ordersPerClient: number,
): Promise<LevelResult> {
  const latencies: number[] = [];
  let errors = 0;
  let truncated = false;
  const send = async (path: string, body: object) => {
    const headers: Record<string, string> = idempotencyKeys
      ? { 'idempotency-key': `${run}-${randomBytes(8).toString('hex')}` }
      : {};
    const reply = await post(base, path, body, headers);
    latencies.push(reply.ms);
    if (reply.status >= 300) errors++;
  };
  const client = async (c: number) => {
    for (let o = 0; o < ordersPerClient; o++) {
      if (Date.now() > DEADLINE) {
        truncated = true;
        return;
      }
      const orderId = `${run}-${c}-${o}`;
      await send('/orders', { orderId, customerId: `bench-c${c % CUSTOMERS}` });
      for (let i = 0; i < ITEMS_PER_ORDER; i++) {
        await send(`/orders/${orderId}/items`, { productId: `bench-p${(c + i) % PRODUCTS}`, qty: i + 1 });
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const label = `${clients}${idempotencyKeys ? ' + Idempotency-Key' : ''}`;
  return { label, requests: latencies.length, errors, seconds, latencies, truncated };
}

async function main(): Promise<void> {
  const database = `prism_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  let app: INestApplication | undefined;
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    app = await createPrismApp(loadConfig({ PRISM_PG_URL: url.toString() }), { logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    const base = new URL(await app.getUrl());

    for (let c = 0; c < CUSTOMERS; c++) {
      await post(base, '/customers', {
        customerId: `bench-c${c}`,
        name: `C${c}`,
        email: `c${c}@bench.test`,
        city: 'X',
      });
    }
    for (let p = 0; p < PRODUCTS; p++) {
      const product = {
        productId: `bench-p${p}`,
        title: `P${p}`,
        description: '',
        category: 'bench',
        price: 100 + p,
      };
      await post(base, '/products', product);
    }
    await runLevel(base, 'warmup', 4, false, 5);

    const results: LevelResult[] = [];
    for (const [index, level] of LEVELS.entries()) {
      results.push(
        await runLevel(base, `l${index}`, level.clients, level.idempotencyKeys, ORDERS_PER_CLIENT),
      );
    }

    const perClient = ORDERS_PER_CLIENT * (1 + ITEMS_PER_ORDER);
    process.stdout.write(
      `\nPrism commands over HTTP on PostgreSQL (${perClient} commands per client: ${ORDERS_PER_CLIENT} orders x ` +
        `(1 place + ${ITEMS_PER_ORDER} add item); 1 event per command; loopback, Node ${process.version}, ` +
        `${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)})\n\n`,
    );
    const rows = [
      ['clients', 'commands', 'errors', 'seconds', 'commands/s', 'events/s', 'p50 ms', 'p99 ms'],
      ...results.map((r) => {
        const ok = r.requests - r.errors;
        return [
          r.label + (r.truncated ? ' (time limit)' : ''),
          String(r.requests),
          String(r.errors),
          r.seconds.toFixed(2),
          (r.requests / r.seconds).toFixed(0),
          (ok / r.seconds).toFixed(0),
          percentile(r.latencies, 50).toFixed(1),
          percentile(r.latencies, 99).toFixed(1),
        ];
      }),
    ];
    const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
    for (const [i, row] of rows.entries()) {
      process.stdout.write(`${row.map((cell, col) => cell.padStart(widths[col]!)).join('  ')}\n`);
      if (i === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
    }
    process.stdout.write(
      '\nevents/s counts domain events; the Idempotency-Key row also appends 2 key events per command.\n',
    );
  } finally {
    await app?.close();
    agent.destroy();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
