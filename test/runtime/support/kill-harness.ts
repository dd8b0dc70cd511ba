/**
 * Crash-safety scenarios shared by test/runtime/kill*.int.spec.ts (a fixed number of runs) and
 * bench/kill-loop.ts (as many as you like): run the projection runtime in a child process, SIGKILL it at
 * random moments, restart it until it finishes, and compare the view with one built from scratch.
 * The event log is always PostgreSQL; the target is PostgreSQL (order_summary, or customer_stats with
 * lookups), Elasticsearch or Neo4j (kill-targets.ts), each run in a namespace of its own (a schema, an
 * index prefix, a label namespace) removed afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import neo4j from 'neo4j-driver';
import { Client } from 'pg';
import type { JsonObject } from '../../../src/core/json';
import type { ViewDocument } from '../../../src/core/plan';
import type { Neo4jTargetShape } from '../../../src/stores/neo4j/neo4j-view-shape';
import { createPostgresEventStore } from '../../../src/eventstore/postgres/postgres-event-store';
import { logFilterOf } from '../../../src/runtime/source-filter';
import { ProjectionRuntime } from '../../../src/runtime/projection-runtime';
import { silentLogger } from '../../../src/runtime/runtime.logger';
import { deleteIndicesWithPrefix } from '../../../src/stores/elasticsearch/elasticsearch-cleanup';
import { ElasticsearchTarget } from '../../../src/stores/elasticsearch/elasticsearch.target';
import { Neo4jTarget } from '../../../src/stores/neo4j/neo4j.target';
import { cleanUp, snapshot, type GraphSnapshot } from '../../../src/stores/neo4j/neo4j-test-support';
import { physicalName } from '../../../src/stores/neo4j/neo4j-names';
import { REPO_ROOT } from '../../stores/store-endpoints';
import { prng } from '../../../bench/workload';
import { orderGraphShape } from '../fixtures/order-graph.fixture';
import { ORDER_SEARCH, type IndexedDocument } from '../fixtures/order-search.fixture';
import {
  esPrefix,
  killProjection,
  neo4jBookkeepingPrefix,
  neo4jProjection,
  openKillTarget,
  type KillTargetKind,
} from './kill-targets';

const RUNNER = path.join(REPO_ROOT, 'test', 'runtime', 'support', 'kill-runner.ts');

let launch: Promise<string[]> | undefined;

/**
 * How to start the runner: a one-off bundle of it (esbuild, which ships with tsx) so each of the many
 * restarts skips transpiling; `--import tsx` when esbuild cannot be loaded. Packages stay external and
 * resolve from the repository's node_modules (NODE_PATH).
 */
function runnerCommand(): Promise<string[]> {
  launch ??= (async () => {
    try {
      const esbuild = await import('esbuild');
      const directory = mkdtempSync(path.join(tmpdir(), 'prism-kill-'));
      process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
      const outfile = path.join(directory, 'kill-runner.js');
      await esbuild.build({
        entryPoints: [RUNNER],
        bundle: true,
        platform: 'node',
        target: 'node20',
        packages: 'external',
        outfile,
        logLevel: 'error',
      });
      return [outfile];
    } catch {
      return ['--import', 'tsx', RUNNER];
    }
  })();
  return launch;
}

export interface RunnerProcess {
  /** Resolves when the runtime started (READY), or false if the process ended first. */
  readonly ready: Promise<boolean>;
  /** Resolves when the process ends: DONE seen, exit code, signal, stderr. */
  readonly exit: Promise<{
    done: boolean;
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
  }>;
  kill(): void;
}

/** Where a run writes: the kind of target and its server (PostgreSQL uses the event log's database). */
export interface KillTarget {
  readonly kind: KillTargetKind;
  /** The Elasticsearch or Neo4j server. */
  readonly url?: string;
}

export interface RunnerEnv {
  /** Database of the event log (schema `log`), and of the PostgreSQL target. */
  readonly url: string;
  /** The run's namespace: target schema, index prefix or label namespace (see kill-targets.ts). */
  readonly schema: string;
  readonly version: 1 | 2;
  readonly batch: number;
  /** Default: PostgreSQL. */
  readonly target?: KillTarget;
}

export async function startRunner(env: RunnerEnv): Promise<RunnerProcess> {
  const child: ChildProcess = spawn(process.execPath, await runnerCommand(), {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
      PRISM_KILL_URL: env.url,
      PRISM_KILL_SCHEMA: env.schema,
      PRISM_KILL_VERSION: String(env.version),
      PRISM_KILL_BATCH: String(env.batch),
      PRISM_KILL_TARGET: env.target?.kind ?? 'postgres',
      PRISM_KILL_TARGET_URL: env.target?.url ?? '',
      // Where fixtures read their files from (the bundle's own __dirname is a temporary folder).
      PRISM_KILL_REPO_ROOT: REPO_ROOT,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markReady!: (ready: boolean) => void;
  const ready = new Promise<boolean>((resolve) => (markReady = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('READY')) markReady(true);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{
    done: boolean;
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
  }>((resolve) => {
    child.on('exit', (code, signal) => {
      markReady(false);
      resolve({ done: stdout.includes('DONE'), code, signal, stderr });
    });
  });
  return { ready, exit, kill: () => child.kill('SIGKILL') };
}

export interface KillRunResult {
  readonly kills: number;
  /** Kills that landed while the runner was still working (not after it had finished). */
  readonly killsMidWork: number;
  readonly spawns: number;
}

/** Batch sizes a run picks from at random (one per start): small ones make many commits to land in. */
export const DEFAULT_BATCHES: readonly number[] = [3, 10, 25, 60, 200];

/**
 * Starts the runner, SIGKILLs it `kills` times after random delays in [0, windowMs / k) from READY (the
 * k-th kill), then lets one run to completion. Throws when a run fails in a way a kill cannot explain (a non-zero exit), or
 * when the last run does not finish within `timeoutMs` (it is killed then).
 */
export async function runWithKills(options: {
  url: string;
  schema: string;
  version: 1 | 2;
  kills: number;
  windowMs: number;
  random: () => number;
  target?: KillTarget;
  batches?: readonly number[];
  timeoutMs?: number;
}): Promise<KillRunResult> {
  const batches = options.batches ?? DEFAULT_BATCHES;
  let killsMidWork = 0;
  let spawns = 0;
  for (let i = 0; i <= options.kills; i += 1) {
    const last = i === options.kills;
    const runner = await startRunner({
      url: options.url,
      schema: options.schema,
      version: options.version,
      batch: batches[Math.floor(options.random() * batches.length)]!,
      ...(options.target !== undefined ? { target: options.target } : {}),
    });
    spawns += 1;
    if (!last) {
      // Each restart resumes from a checkpoint, so less work is left: later kills get a shorter window,
      // or most of them would land after the run finished.
      const delay = Math.floor((options.random() * options.windowMs) / (i + 1));
      if (await runner.ready) {
        const killer = setTimeout(() => runner.kill(), delay);
        const ended = await runner.exit;
        clearTimeout(killer);
        if (ended.signal === 'SIGKILL') killsMidWork += 1;
        else if (!ended.done) throw new Error(`runner failed (exit ${ended.code}): ${ended.stderr}`);
        continue;
      }
    }
    // A run that cannot finish (a stuck swap, a projection retrying forever) must fail, not hang.
    const timeoutMs = options.timeoutMs ?? 120_000;
    const watchdog = setTimeout(() => runner.kill(), timeoutMs);
    const ended = await runner.exit;
    clearTimeout(watchdog);
    if (!ended.done) {
      const why = ended.signal === 'SIGKILL' ? `did not finish within ${timeoutMs} ms` : `exit ${ended.code}`;
      throw new Error(`runner of ${options.schema} ${why}: ${ended.stderr}`);
    }
  }
  return { kills: options.kills, killsMidWork, spawns };
}

/** The view readers see in a target schema, ordered by key, and which order_summary tables exist. */
export async function readView(
  url: string,
  schema: string,
): Promise<{ rows: ViewDocument[]; tables: string[] }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const rows = (await client.query(`SELECT * FROM "${schema}".order_summary ORDER BY order_id COLLATE "C"`))
      .rows as ViewDocument[];
    const tables = (
      await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'order_summary%' ORDER BY 1`,
        [schema],
      )
    ).rows.map((row: { table_name: string }) => row.table_name);
    return { rows, tables };
  } finally {
    await client.end();
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Builds version 1 of a target's fixture in this process, live at the head: the starting point of a
 * rebuild run (which then restarts with version 2).
 */
export async function buildVersion1(url: string, namespace: string, target?: KillTarget): Promise<void> {
  const kind = target?.kind ?? 'postgres';
  const store = createPostgresEventStore({ url, schema: 'log', poolSize: 2 });
  await store.initialize();
  const opened = await openKillTarget(kind, { pgUrl: url, targetUrl: target?.url, namespace });
  const { plan, definition } = killProjection(kind, namespace, 1);
  const runtime = new ProjectionRuntime({
    store,
    targets: { [plan.target.kind]: opened },
    runner: { batchSize: 1000, maxBatchLatencyMs: 5, headPollMs: 20 },
    logger: silentLogger,
  });
  try {
    await runtime.start([{ plan, definition }]);
    await runtime.waitForCheckpoint(plan.name, await store.headPosition(logFilterOf(plan)), 60_000);
  } finally {
    await runtime.stop();
    await Promise.all([opened.close(), store.close()]);
  }
}

/** A generation as the registry lists it. */
export interface GenerationLine {
  readonly generation: number;
  readonly status: string;
}

/** What an Elasticsearch run left: the active index document by document, and what exists around it. */
export interface SearchIndexView {
  /** Every document of the active generation's index, tombstones included, with external versions, by id. */
  readonly documents: IndexedDocument[];
  readonly generations: GenerationLine[];
  /** Indices of the run, without its prefix. */
  readonly indices: string[];
  /** Indices the alias readers search points at, without the prefix. */
  readonly aliasOn: string[];
}

export async function readSearchIndex(url: string, namespace: string): Promise<SearchIndexView> {
  const prefix = esPrefix(namespace);
  const target = await ElasticsearchTarget.connect({ url, prefix });
  try {
    const client = target.client;
    const active = (await target.readProjection(ORDER_SEARCH))?.activeGeneration ?? null;
    const generations = (await target.listGenerations(ORDER_SEARCH)).map((g) => ({
      generation: g.generation,
      status: g.status,
    }));
    let documents: IndexedDocument[] = [];
    if (active !== null) {
      const index = target.naming.physical(ORDER_SEARCH, active);
      await client.indices.refresh({ index });
      const response = await client.search<JsonObject>({
        index,
        size: 10_000,
        version: true,
        query: { match_all: {} },
      });
      documents = response.hits.hits
        .map((hit) => ({ id: hit._id!, version: hit._version!, source: hit._source ?? {} }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
    const strip = (names: string[]) => names.map((name) => name.slice(prefix.length)).sort();
    const indices = strip(Object.keys(await client.indices.get({ index: `${prefix}*` })));
    const aliases = await client.indices.getAlias({ name: `${prefix}${ORDER_SEARCH}` }, { ignore: [404] });
    const aliasOn = strip(Object.keys(aliases).filter((name) => name.startsWith(prefix)));
    return { documents, generations, indices, aliasOn };
  } finally {
    await target.close();
  }
}

/**
 * Deletes the indices whose names start with `prefix`: `esPrefix(namespace)` for one run, or the
 * common start of a test file's namespaces to sweep them all.
 */
export async function dropSearchIndices(url: string, prefix: string): Promise<void> {
  const client = new ElasticsearchClient({ node: url });
  try {
    await deleteIndicesWithPrefix(client, prefix);
  } finally {
    await client.close();
  }
}

/** What a Neo4j run left: the active generation's graph, the registry, and nodes of other generations. */
export interface GraphView extends GraphSnapshot {
  readonly generations: GenerationLine[];
  /** Nodes still labelled with a generation that is not the active one (a drop that did not finish). */
  readonly leftovers: number;
}

/** Highest generation a run creates: version 1, then version 2 (a third would be a bug the tests catch). */
const MAX_GENERATION = 2;

export async function readGraph(url: string, namespace: string): Promise<GraphView> {
  const driver = neo4j.driver(url);
  try {
    const projection = neo4jProjection(namespace);
    const target = new Neo4jTarget(driver, { bookkeepingPrefix: neo4jBookkeepingPrefix(namespace) });
    const active = (await target.readProjection(projection))?.activeGeneration ?? null;
    const records = await target.listGenerations(projection);
    const shape = records.find((g) => g.generation === active)?.shape as Neo4jTargetShape | undefined;
    const graph =
      active === null || shape === undefined
        ? { nodes: [], relationships: [] }
        : await snapshot(driver, shape, projection, active);
    let leftovers = 0;
    for (let generation = 1; generation <= MAX_GENERATION; generation += 1) {
      if (generation === active) continue;
      for (const label of Object.keys(orderGraphShape(2).nodes)) {
        const result = await driver.executeQuery(
          `MATCH (n:\`${physicalName(label, projection, generation)}\`) RETURN count(n) AS count`,
        );
        leftovers += Number(result.records[0]?.get('count') ?? 0);
      }
    }
    return {
      ...graph,
      generations: records.map((g) => ({ generation: g.generation, status: g.status })),
      leftovers,
    };
  } finally {
    await driver.close();
  }
}

/** Removes a Neo4j run's graph (every generation), constraints and bookkeeping records. */
export async function dropGraphNamespace(url: string, namespace: string): Promise<void> {
  const driver = neo4j.driver(url);
  try {
    const projection = neo4jProjection(namespace);
    const target = new Neo4jTarget(driver, { bookkeepingPrefix: neo4jBookkeepingPrefix(namespace) });
    const generations = new Set(Array.from({ length: MAX_GENERATION }, (_, i) => i + 1));
    for (const record of await target.listGenerations(projection)) generations.add(record.generation);
    await cleanUp(driver, target.labels, [
      { projection, generations: [...generations], shape: orderGraphShape(2, true) },
    ]);
  } finally {
    await driver.close();
  }
}

/** Removes whatever a run left in its namespace, whatever the target. */
export async function dropNamespace(url: string, namespace: string, target?: KillTarget): Promise<void> {
  switch (target?.kind ?? 'postgres') {
    case 'postgres':
    case 'postgres-lookups':
      return dropSchema(url, namespace);
    case 'elasticsearch':
      return dropSearchIndices(target!.url!, esPrefix(namespace));
    case 'neo4j':
      return dropGraphNamespace(target!.url!, namespace);
  }
}

/** Runs `count` jobs, `parallel` at a time (one per core): each job is a child process plus a store. */
export async function inParallel<T>(
  count: number,
  parallel: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        results[index] = await work(index);
      }
    }),
  );
  return results;
}

/** One line per scenario: how many kills landed, and how many while the runner was still working. */
export function killSummary(kind: string, results: readonly { result: KillRunResult }[]): string {
  const kills = results.reduce((sum, r) => sum + r.result.kills, 0);
  const midWork = results.reduce((sum, r) => sum + r.result.killsMidWork, 0);
  return `${kind}: ${results.length} runs, ${kills} kills (${midWork} while working), all views equal the fresh build`;
}

/**
 * Builds version 1 and version 2 of the projection from scratch, each by a fresh process that is never
 * killed, and returns what `read` sees of each plus the longest build time after READY: the window the
 * kills of the killed runs are spread over.
 */
export async function freshBuilds<V>(options: {
  url: string;
  base: string;
  target: KillTarget;
  read: (namespace: string) => Promise<V>;
  /** Namespaces are added here so the suite can drop them at the end. */
  namespaces?: Set<string>;
}): Promise<{ views: Record<1 | 2, V>; windowMs: number }> {
  const views: Partial<Record<1 | 2, V>> = {};
  let windowMs = 0;
  for (const version of [1, 2] as const) {
    const namespace = `${options.base}_fresh${version}`;
    options.namespaces?.add(namespace);
    const runner = await startRunner({
      url: options.url,
      schema: namespace,
      version,
      batch: 25,
      target: options.target,
    });
    if (!(await runner.ready)) {
      const { stderr } = await runner.exit;
      throw new Error(`the fresh build of version ${version} did not start: ${stderr}`);
    }
    const started = Date.now();
    const ended = await runner.exit;
    if (!ended.done || ended.code !== 0) {
      throw new Error(`the fresh build of version ${version} failed (exit ${ended.code}): ${ended.stderr}`);
    }
    windowMs = Math.max(windowMs, Date.now() - started);
    views[version] = await options.read(namespace);
  }
  return { views: views as Record<1 | 2, V>, windowMs };
}

/**
 * One killed run in its own namespace: a catch-up of version 1, or a rebuild to version 2 beside a live
 * version 1; SIGKILLs at random moments (seeded by `seed` and `run`), restarts until done, then the view
 * as `read` sees it. The namespace is dropped afterwards.
 */
export async function killedRun<V>(options: {
  url: string;
  base: string;
  seed: number;
  run: number;
  phase: 'catch-up' | 'rebuild';
  windowMs: number;
  target: KillTarget;
  batches: readonly number[];
  read: (namespace: string) => Promise<V>;
  namespaces?: Set<string>;
}): Promise<{ run: number; result: KillRunResult; view: V }> {
  const rebuild = options.phase === 'rebuild';
  const random = prng(options.seed * 1000 + (rebuild ? 500 : 0) + options.run);
  const namespace = `${options.base}_${rebuild ? 'r' : 'c'}${options.run}`;
  options.namespaces?.add(namespace);
  if (rebuild) await buildVersion1(options.url, namespace, options.target);
  const result = await runWithKills({
    url: options.url,
    schema: namespace,
    version: rebuild ? 2 : 1,
    kills: 1 + Math.floor(random() * 2),
    windowMs: options.windowMs,
    random,
    target: options.target,
    batches: options.batches,
  });
  const view = await options.read(namespace);
  await dropNamespace(options.url, namespace, options.target);
  options.namespaces?.delete(namespace);
  return { run: options.run, result, view };
}
