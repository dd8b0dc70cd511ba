/**
 * Issue #17, "the whole start": the real server (`node dist/main.js` with the heap flags of `npm start`)
 * started on the reference log (bench/workload.ts, ../shared/BENCHMARK-WORKLOAD.md) with every example
 * projection of projections/ empty, on PostgreSQL (log, relational views), Elasticsearch and Neo4j. Prints,
 * per projection, the time until it is live (from the spawn of the process), the events it applied and its
 * checkpoint; then the total, the peak RSS of the server (VmHWM), its CPU time, the CPU time of the stores
 * (PostgreSQL backends; Elasticsearch and Neo4j when `npm run stores:up` started them), how busy the machine
 * was, and the rows PostgreSQL read from the log table (pg_stat_user_tables: how many times the log was read).
 *
 *   npm run build && npx tsx bench/whole-start.ts [--orders 100000] [--seed 42]
 *       [--reader per-projection,shared] [--reuse-log] [--write-only] [--timeout 900] [--only a,b]
 *       [--server-cpu-prof <folder>] [--node-flags "--max-old-space-size=512 --max-semi-space-size=64"]
 *       [--tuned-neo4j] [--tuned-port 7717]
 *
 * `--reader` lists the modes to run one after the other (PRISM_SHARED_READER off / on), side by side in
 * one table. The log is written once into a database of its own (`prism_ws_log_<orders>_<seed>`);
 * `--reuse-log` keeps and reuses it when it holds the expected events (otherwise it is written again).
 * Each run gets a fresh copy of it (CREATE DATABASE ... TEMPLATE), so the views and bookkeeping are empty
 * and the read counters start at 0; the copy is dropped after the run. The definitions are copied to a
 * temporary folder with names and indices of the run's own (`ws<run>_order_summary`...), so the shared
 * Elasticsearch and Neo4j servers never see another run's data; their indices and nodes are removed after.
 *
 * `--tuned-neo4j` starts a production-tuned Neo4j for the runs (bench/tuned-neo4j.ts: full JIT, 2 GB heap)
 * instead of using the test server, which stops its JIT at C1 to start fast and spends more CPU per statement.
 *
 * Stores: PRISM_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), PRISM_ES_URL (default
 * http://127.0.0.1:9251), PRISM_NEO4J_URL (default bolt://127.0.0.1:7697).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import neo4j from 'neo4j-driver';
import { deleteIndicesWithPrefix } from '../src/stores/elasticsearch/elasticsearch-cleanup';
import { arg } from './cli-args';
import { startTunedNeo4j } from './tuned-neo4j';
import { BENCH_SERVER, databaseUrl, withClient, writeWorkloadLog } from './scratch-database';
import { workloadFigures } from './workload';
import { JAVA_STORES, runningPid } from '../test/stores/java-store';

const ORDERS = Number(arg('orders', '100000'));
const SEED = Number(arg('seed', '42'));
const MODES = arg('reader', 'per-projection,shared').split(',') as Mode[];
const REUSE = process.argv.includes('--reuse-log');
const TIMEOUT_S = Number(arg('timeout', '900'));
/** Writes (or checks) the log and stops: the runs can then be repeated with `--reuse-log`. */
const WRITE_ONLY = process.argv.includes('--write-only');
/** Starts only these example projections (by name, comma-separated): one projection's catch-up in the server. */
const ONLY = arg('only', '')
  .split(',')
  .filter((name) => name !== '');
/** Writes a CPU profile of each server run into this folder (node --cpu-prof; open it in Chrome DevTools). */
const SERVER_CPU_PROF = arg('server-cpu-prof', '');
const SERVER = BENCH_SERVER;
const ES_URL = process.env.PRISM_ES_URL ?? 'http://127.0.0.1:9251';
const TUNED_NEO4J = process.argv.includes('--tuned-neo4j');
/** The test server (or PRISM_NEO4J_URL); main() points both at the tuned server with `--tuned-neo4j`. */
let neo4jUrl = process.env.PRISM_NEO4J_URL ?? 'bolt://127.0.0.1:7697';
/** The server's process, for its CPU time: only known for a server this repo's launchers started. */
let neo4jPid = (): number | undefined =>
  process.env.PRISM_NEO4J_URL === undefined ? runningPid(JAVA_STORES.neo4j) : undefined;
const ROOT = path.resolve(__dirname, '..');
/** What `npm start` gives node (package.json); `--node-flags "..."` runs the server with others instead. */
const HEAP_FLAGS = arg('node-flags', startHeapFlags()).split(' ');
const API_KEY = 'whole-start-admin-key-0123456789abcdef';

type Mode = 'per-projection' | 'shared';

interface ProjectionJson {
  readonly name: string;
  readonly state: string;
  readonly live: {
    readonly checkpoint: string;
    readonly eventsApplied: number;
    readonly head: string;
  } | null;
}

interface ProjectionFigures {
  readonly name: string;
  liveAfterS: number | null;
  eventsApplied: number;
  checkpoint: string;
  state: string;
}

interface RunFigures {
  readonly mode: Mode;
  readonly projections: ProjectionFigures[];
  readonly totalS: number | null;
  readonly listeningS: number;
  readonly peakRssMb: number;
  readonly cpuS: number;
  /** CPU of the PostgreSQL backends connected to the run's database (the server's pools), while it ran. */
  readonly postgresCpuS: number;
  /** CPU of the Elasticsearch and Neo4j servers while it ran; undefined when `npm run stores:up` did not start them. */
  readonly elasticsearchCpuS: number | undefined;
  readonly neo4jCpuS: number | undefined;
  /** How busy the machine was while it ran (all cores, /proc/stat), in percent. */
  readonly machineBusyPct: number;
  /** Runners the shared reader detached (its log lines). */
  readonly detaches: number;
  readonly logRowsRead: number;
  readonly check: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The log database, written unless `--reuse-log` finds it complete. */
async function logDatabase(): Promise<string> {
  const database = `prism_ws_log_${ORDERS}_${SEED}`;
  const expected = workloadFigures(ORDERS, SEED).events;
  const exists = await withClient(
    SERVER,
    async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1,
  );
  if (exists && REUSE) {
    const count = await withClient(databaseUrl(SERVER, database), async (c) =>
      Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM prism.events')).rows[0]?.n),
    ).catch(() => -1);
    if (count === expected) {
      console.log(`reusing ${database} (${fmt(count)} events)`);
      return database;
    }
  }
  await withClient(SERVER, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  await withClient(SERVER, (c) => c.query(`CREATE DATABASE ${database}`));
  const url = databaseUrl(SERVER, database);
  const { events: written, seconds } = await writeWorkloadLog(url, {
    schema: 'prism',
    orders: ORDERS,
    seed: SEED,
  });
  console.log(
    `wrote ${fmt(written)} events (${fmt(ORDERS)} orders) into ${database} in ${seconds.toFixed(1)} s`,
  );
  return database;
}

/** The example definitions (not their tests), renamed for the run; returns the folder and the names. */
function definitions(prefix: string): { folder: string; names: string[] } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'prism-whole-start-'));
  const names: string[] = [];
  const source = path.join(ROOT, 'projections');
  for (const file of readdirSync(source).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'))) {
    let text = readFileSync(path.join(source, file), 'utf8');
    const name = /^name:\s*(\S+)/m.exec(text)?.[1];
    if (name === undefined) throw new Error(`${file} has no name`);
    if (ONLY.length > 0 && !ONLY.includes(name)) continue;
    text = text.replace(/^name:\s*\S+/m, `name: ${prefix}${name}`);
    text = text.replace(/^(\s+index:\s*)(\S+)/m, `$1${prefix}$2`);
    writeFileSync(path.join(folder, file), text);
    names.push(`${prefix}${name}`);
  }
  return { folder, names };
}

function procStatus(pid: number): { hwmKb: number; rssKb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of a process (/proc/<pid>/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks (USER_HZ: 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds so far of the store servers the repo's launchers started, by name (absent: not started that way). */
function storeCpuSeconds(): { readonly elasticsearch?: number; readonly neo4j?: number } {
  const of = (pid: number | undefined) => (pid === undefined ? undefined : cpuSeconds(pid));
  const elasticsearch = of(
    process.env.PRISM_ES_URL === undefined ? runningPid(JAVA_STORES.elasticsearch) : undefined,
  );
  const neo4j = of(neo4jPid());
  return { ...(elasticsearch !== undefined && { elasticsearch }), ...(neo4j !== undefined && { neo4j }) };
}

/** All cores' busy and total clock ticks so far (/proc/stat; idle and iowait count as not busy). */
function machineTicks(): { readonly busy: number; readonly total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

/** CPU seconds of the PostgreSQL backends serving `database` (same host: /proc of their pids). */
async function backendCpuSeconds(database: string): Promise<number> {
  const pids = await withClient(
    SERVER,
    async (c) =>
      (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]))
        .rows,
  ).catch(() => []);
  return pids.reduce((sum, { pid }) => sum + cpuSeconds(pid), 0);
}

async function logRowsRead(url: string): Promise<number> {
  // Statistics reach the view at the end of each backend's transaction (and at most ~1 s later).
  await sleep(1500);
  return withClient(url, async (c) => {
    const row = (
      await c.query<{ n: string }>(
        `SELECT (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::text AS n
         FROM pg_stat_user_tables WHERE schemaname = 'prism' AND relname = 'events'`,
      )
    ).rows[0];
    return Number(row?.n ?? 0);
  });
}

async function run(mode: Mode, logDb: string): Promise<RunFigures> {
  const id = Date.now().toString(36);
  const prefix = `ws${id}_`;
  const database = `prism_ws_run_${id}`;
  await withClient(SERVER, (c) => c.query(`CREATE DATABASE ${database} TEMPLATE ${logDb}`));
  const url = databaseUrl(SERVER, database);
  const { folder, names } = definitions(prefix);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'prism-whole-start-data-'));
  let child: ChildProcess | undefined;
  let output = '';
  try {
    await withClient(url, (c) => c.query('SELECT pg_stat_reset()'));
    const storesBefore = storeCpuSeconds();
    const machineBefore = machineTicks();
    const started = performance.now();
    const profile =
      SERVER_CPU_PROF === '' ? [] : ['--cpu-prof', '--cpu-prof-dir', path.resolve(SERVER_CPU_PROF)];
    child = spawn(process.execPath, [...HEAP_FLAGS, ...profile, path.join(ROOT, 'dist', 'main.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        PRISM_LOG_FORMAT: 'json',
        PRISM_PG_URL: url,
        PRISM_ES_URL: ES_URL,
        PRISM_NEO4J_URL: neo4jUrl,
        PRISM_PROJECTIONS_DIR: folder,
        PRISM_DATA_DIR: dataDir,
        PRISM_API_KEYS: `admin:${API_KEY}`,
        PRISM_SHARED_READER: mode === 'shared' ? 'on' : 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid!;
    let detaches = 0;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      // Counted as they come: the kept output is only its end.
      detaches += (text.match(/shared log reader: a runner/g) ?? []).length;
      output = (output + text).slice(-200_000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    let exited = false;
    child.on('exit', () => (exited = true));
    let baseUrl: string | undefined;
    let listeningS = 0;
    const figures = new Map<string, ProjectionFigures>(
      names.map((name) => [name, { name, liveAfterS: null, eventsApplied: 0, checkpoint: '0', state: '?' }]),
    );
    let peakRssKb = 0;
    const deadline = started + TIMEOUT_S * 1000;
    while (performance.now() < deadline && !exited) {
      const status = procStatus(pid);
      if (status !== undefined) peakRssKb = Math.max(peakRssKb, status.hwmKb, status.rssKb);
      if (baseUrl === undefined) {
        const listening = /Prism listening on (http:\/\/[^\s,"]+)/.exec(output)?.[1];
        if (listening !== undefined) {
          baseUrl = listening.replace('localhost', '127.0.0.1');
          listeningS = (performance.now() - started) / 1000;
        }
      }
      if (baseUrl !== undefined) {
        const answer = await fetch(`${baseUrl}/admin/projections`, { headers: { 'X-API-Key': API_KEY } })
          .then(async (r) => (r.ok ? ((await r.json()) as { projections: ProjectionJson[] }) : undefined))
          .catch(() => undefined);
        const now = (performance.now() - started) / 1000;
        for (const projection of answer?.projections ?? []) {
          const entry = figures.get(projection.name);
          if (entry === undefined) continue;
          entry.state = projection.state;
          entry.eventsApplied = projection.live?.eventsApplied ?? 0;
          entry.checkpoint = projection.live?.checkpoint ?? '0';
          if (entry.liveAfterS === null && projection.state === 'live') entry.liveAfterS = now;
        }
        if ([...figures.values()].every((f) => f.liveAfterS !== null)) break;
      }
      await sleep(200);
    }
    const all = [...figures.values()];
    const totalS = all.every((f) => f.liveAfterS !== null)
      ? Math.max(...all.map((f) => f.liveAfterS!))
      : null;
    const status = procStatus(pid);
    if (status !== undefined) peakRssKb = Math.max(peakRssKb, status.hwmKb);
    const cpuS = cpuSeconds(pid);
    const postgresCpuS = await backendCpuSeconds(database);
    const storesAfter = storeCpuSeconds();
    const machineAfter = machineTicks();
    const spent = (before: number | undefined, after: number | undefined) =>
      before === undefined || after === undefined ? undefined : after - before;
    const check = await checkOrderSummary(url, 'order_summary');
    return {
      mode,
      projections: all,
      totalS,
      listeningS,
      peakRssMb: peakRssKb / 1024,
      cpuS,
      postgresCpuS,
      elasticsearchCpuS: spent(storesBefore.elasticsearch, storesAfter.elasticsearch),
      neo4jCpuS: spent(storesBefore.neo4j, storesAfter.neo4j),
      machineBusyPct:
        (100 * (machineAfter.busy - machineBefore.busy)) /
        Math.max(1, machineAfter.total - machineBefore.total),
      detaches,
      logRowsRead: await logRowsRead(url),
      check,
    };
  } catch (error) {
    console.error(output.slice(-4000));
    throw error;
  } finally {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
        child!.once('exit', () => resolve(clearTimeout(timer)));
      });
    }
    await cleanUp(prefix, database);
    rmSync(folder, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The workload's checks on the order_summary view (row count, sums); "ok" or what differs. */
async function checkOrderSummary(url: string, name: string): Promise<string> {
  const expected = workloadFigures(ORDERS, SEED);
  try {
    return await withClient(url, async (c) => {
      const table = (
        await c.query<{ schema: string; table: string }>(
          `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
           WHERE table_name = $1 OR table_name LIKE $2 ORDER BY (table_name = $1) DESC LIMIT 1`,
          [name, `${name}%`],
        )
      ).rows[0];
      if (table === undefined) return `no table for ${name}`;
      const row = (
        await c.query<{ n: string; total: string; items: string }>(
          `SELECT count(*)::text AS n, sum(total)::text AS total, sum(item_count)::text AS items
           FROM "${table.schema}"."${table.table}"`,
        )
      ).rows[0]!;
      const problems = [
        Number(row.n) !== expected.orders && `rows ${row.n} != ${expected.orders}`,
        Number(row.total) !== expected.totalSum && `total ${row.total} != ${expected.totalSum}`,
        Number(row.items) !== expected.itemCountSum && `items ${row.items} != ${expected.itemCountSum}`,
      ].filter((p): p is string => typeof p === 'string');
      return problems.length === 0 ? 'ok' : problems.join(', ');
    });
  } catch (error) {
    return `check failed: ${(error as Error).message}`;
  }
}

async function cleanUp(prefix: string, database: string): Promise<void> {
  await withClient(SERVER, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(
    () => undefined,
  );
  const elasticsearch = new ElasticsearchClient({ node: ES_URL });
  await deleteIndicesWithPrefix(elasticsearch, `prism-${prefix}`).catch(() => undefined);
  await deleteIndicesWithPrefix(elasticsearch, prefix).catch(() => undefined);
  await elasticsearch.close();
  // In transactions of 1,000 nodes (one transaction for a million-node graph runs out of memory, and 10,000
  // ran out on the tuned server: a product node has thousands of relationships), then
  // the run's constraints and indexes: what a run leaves behind slows the next one down.
  const driver = neo4j.driver(neo4jUrl);
  const session = driver.session();
  try {
    await session.run(
      `MATCH (n) WHERE any(label IN labels(n) WHERE label CONTAINS $prefix) ` +
        `CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS`,
      { prefix: `__${prefix}` },
    );
    for (const [kind, kinds] of [
      ['CONSTRAINT', 'CONSTRAINTS'],
      ['INDEX', 'INDEXES'],
    ] as const) {
      const names = await driver.executeQuery(
        `SHOW ${kinds} YIELD name WHERE name CONTAINS $prefix RETURN name`,
        {
          prefix,
        },
      );
      for (const record of names.records)
        await driver.executeQuery(`DROP ${kind} \`${String(record.get('name'))}\` IF EXISTS`);
    }
  } catch (error) {
    console.warn(`could not remove the run's graph (${prefix}) from Neo4j: ${String(error)}`);
  } finally {
    await session.close();
    await driver.close();
  }
}

function report(runs: readonly RunFigures[]): void {
  const short = (name: string) => name.replace(/^ws[a-z0-9]+_/, '');
  const names = runs[0]!.projections.map((p) => short(p.name));
  const cell = (value: string) => value.padStart(26);
  console.log(`\n${'projection'.padEnd(20)}${runs.map((r) => cell(r.mode)).join('')}`);
  console.log(`${''.padEnd(20)}${runs.map(() => cell('live after s (events)')).join('')}`);
  for (const name of names) {
    const cells = runs.map((r) => {
      const p = r.projections.find((x) => short(x.name) === name)!;
      const live = p.liveAfterS === null ? `${p.state}!` : p.liveAfterS.toFixed(1);
      return cell(`${live} (${fmt(p.eventsApplied)})`);
    });
    console.log(`${name.padEnd(20)}${cells.join('')}`);
  }
  const row = (label: string, value: (r: RunFigures) => string) =>
    console.log(`${label.padEnd(20)}${runs.map((r) => cell(value(r))).join('')}`);
  row('all live after s', (r) => (r.totalS === null ? 'timeout' : r.totalS.toFixed(1)));
  row('listening after s', (r) => r.listeningS.toFixed(1));
  row('peak RSS MB', (r) => r.peakRssMb.toFixed(0));
  row('server CPU s', (r) => r.cpuS.toFixed(1));
  row('PostgreSQL CPU s', (r) => r.postgresCpuS.toFixed(1));
  row('Elasticsearch CPU s', (r) => r.elasticsearchCpuS?.toFixed(1) ?? '–');
  row('Neo4j CPU s', (r) => r.neo4jCpuS?.toFixed(1) ?? '–');
  row('machine busy %', (r) => r.machineBusyPct.toFixed(0));
  row('log rows read', (r) => fmt(r.logRowsRead));
  row('reader detaches', (r) => String(r.detaches));
  row('order_summary check', (r) => r.check);
}

async function main(): Promise<void> {
  const main = path.join(ROOT, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error('dist/main.js is missing: run `npm run build` first');
  console.log(
    `server: ${path.relative(ROOT, main)} built ${statSync(main).mtime.toISOString()}, node ${HEAP_FLAGS.join(' ')}`,
  );
  const logDb = await logDatabase();
  if (WRITE_ONLY) return;
  const tuned = TUNED_NEO4J ? await startTunedNeo4j(Number(arg('tuned-port', '7717'))) : undefined;
  if (tuned !== undefined) {
    neo4jUrl = tuned.url;
    neo4jPid = () => tuned.pid;
    console.log(`Neo4j: ${tuned.url} (tuned server started for these runs)`);
  }
  try {
    await runAll(logDb);
  } finally {
    await tuned?.stop();
  }
}

async function runAll(logDb: string): Promise<void> {
  const runs: RunFigures[] = [];
  for (const mode of MODES) {
    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    console.log(`run ${mode}: load average ${load} (${os.cpus().length} cores)`);
    runs.push(await run(mode, logDb));
    report(runs.slice(-1)); // at once: a long run's figures are not lost if a later one fails
  }
  report(runs);
  if (!REUSE) {
    await withClient(SERVER, (c) => c.query(`DROP DATABASE IF EXISTS ${logDb} WITH (FORCE)`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/** The V8 flags `npm start` puts in NODE_OPTIONS (package.json), so the benchmark starts the server as it runs. */
function startHeapFlags(): string {
  const scripts = (
    JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const flags = /NODE_OPTIONS="([^"$]*?)\s*\$NODE_OPTIONS"/.exec(scripts.start ?? '')?.[1];
  if (flags === undefined) throw new Error('package.json: the start script sets no NODE_OPTIONS heap flags');
  return flags;
}
