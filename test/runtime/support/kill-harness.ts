/**
 * Crash-safety scenarios shared by test/runtime/kill.int.spec.ts (a fixed number of runs) and
 * bench/kill-loop.ts (as many as you like): run the projection runtime in a child process, SIGKILL it at
 * random moments, restart it until it finishes, and compare the view with one built from scratch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { ViewDocument } from '../../../src/core/plan';
import { REPO_ROOT } from '../../stores/store-endpoints';

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

export async function startRunner(env: {
  url: string;
  schema: string;
  version: 1 | 2;
  batch: number;
}): Promise<RunnerProcess> {
  const child: ChildProcess = spawn(process.execPath, await runnerCommand(), {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
      PRISM_KILL_URL: env.url,
      PRISM_KILL_SCHEMA: env.schema,
      PRISM_KILL_VERSION: String(env.version),
      PRISM_KILL_BATCH: String(env.batch),
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

/**
 * Starts the runner, SIGKILLs it `kills` times after random delays in [0, windowMs) from READY, then lets
 * one run to completion. Throws when a run fails in a way a kill cannot explain (a non-zero exit).
 */
export async function runWithKills(options: {
  url: string;
  schema: string;
  version: 1 | 2;
  kills: number;
  windowMs: number;
  random: () => number;
}): Promise<KillRunResult> {
  const batches = [3, 10, 25, 60, 200];
  let killsMidWork = 0;
  let spawns = 0;
  for (let i = 0; i <= options.kills; i += 1) {
    const last = i === options.kills;
    const runner = await startRunner({
      url: options.url,
      schema: options.schema,
      version: options.version,
      batch: batches[Math.floor(options.random() * batches.length)]!,
    });
    spawns += 1;
    if (!last) {
      const delay = Math.floor(options.random() * options.windowMs);
      if (await runner.ready) {
        const killer = setTimeout(() => runner.kill(), delay);
        const ended = await runner.exit;
        clearTimeout(killer);
        if (ended.signal === 'SIGKILL') killsMidWork += 1;
        else if (!ended.done) throw new Error(`runner failed (exit ${ended.code}): ${ended.stderr}`);
        continue;
      }
    }
    const ended = await runner.exit;
    if (!ended.done)
      throw new Error(`runner did not finish (exit ${ended.code}, ${ended.signal}): ${ended.stderr}`);
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
