/**
 * Runs the shell blocks of one README section in order, as a reader would in one terminal, so the
 * walkthrough cannot rot (used by test/e2e/readme-walkthrough.e2e.spec.ts).
 *
 * What runs: every ```bash block of the section (from its `## ` heading to the next `## `), in order.
 * Other fences (```text, ```yaml) are sample output and never run.
 *
 * Markers: an HTML comment as the last non-blank line before a block changes what the runner does with it.
 *   <!-- walkthrough: background -->     the block starts a server and may return before it stops (e.g.
 *                                        `npm start > prism.log 2>&1 &`). It runs in its own process group,
 *                                        which is left running; the runner then waits until
 *                                        GET /health/ready answers 200 (or the block fails).
 *   <!-- walkthrough: stop -->           not run: it stands for what a terminal does by hand (Ctrl-C,
 *                                        `kill %1`, which needs job control). The runner sends SIGTERM to
 *                                        the last background group, waits for it to exit (SIGKILL after
 *                                        30 s) and for the port to close.
 *   <!-- walkthrough: skip <reason> -->  not run at all (e.g. `npm ci`: the working copy links the
 *                                        node_modules that are already installed).
 *
 * One terminal: each block is its own `bash` with `set -euo pipefail`, so any failing command fails the
 * walkthrough. Exported variables and the working directory carry from one block to the next; shell
 * functions and unexported variables do not (the README exports what later blocks use).
 *
 * Working copy: package.json, tsconfig*.json, nest-cli.json, src/, examples/ and projections/ are copied into a new
 * temporary folder with a link to the installed node_modules, so `npm start` builds and `./data` is fresh,
 * and nothing the README writes (projections/product-sales.yaml, data/, prism.log) touches the repository.
 *
 * Port: the README says localhost:3000. The runner picks a free port, exports PORT (Prism listens on it)
 * and PRISM_URL (the CLI talks to it), and rewrites `localhost:3000` and `127.0.0.1:3000` in every block
 * to it, so a run never collides with a Prism a developer has on 3000. `rewrites` replace other literal
 * text the same way (e.g. the README's database URL by a fresh test database). Prism's other settings come from
 * the README alone: PRISM_*, HOST, NODE_ENV and npm_* variables of the test process are not passed on.
 *
 * Cleanup: close() kills every process group a block started (servers included) and removes the folder;
 * call it in afterAll so it also runs when a block fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type BlockMode = 'run' | 'background' | 'stop' | 'skip';

export interface ShellBlock {
  /** 0-based, in section order, counting every bash block (also the ones not run). */
  readonly index: number;
  /** 1-based line of the opening fence in the markdown file. */
  readonly line: number;
  readonly mode: BlockMode;
  /** The text after the marker's mode, e.g. a skip's reason. */
  readonly note: string;
  readonly code: string;
}

export interface BlockResult {
  readonly block: ShellBlock;
  /** False for skip blocks; stop blocks count as run (the runner stopped the server). */
  readonly ran: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** A block that failed: exit code, timeout, or a server that never got ready. */
export class WalkthroughBlockError extends Error {
  override readonly name = 'WalkthroughBlockError';
}

const MARKER = /^<!--\s*walkthrough:\s*(background|stop|skip)\b\s*(.*?)\s*-->$/;
const FENCE = /^(`{3,}|~{3,})\s*([\w-]*)/;

/** The bash blocks of the section under `## <heading>`, with their markers. */
export function extractShellBlocks(markdown: string, heading: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start === -1) throw new Error(`The markdown has no "## ${heading}" section.`);
  const blocks: ShellBlock[] = [];
  let lastText = '';
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^## /.test(line)) break;
    const fence = FENCE.exec(line);
    if (fence === null) {
      if (line.trim() !== '') lastText = line.trim();
      continue;
    }
    const close = lines.findIndex((candidate, j) => j > i && candidate.trim() === fence[1]);
    if (close === -1) throw new Error(`The code block at line ${i + 1} is never closed.`);
    if (fence[2] === 'bash' || fence[2] === 'sh') {
      const marker = MARKER.exec(lastText);
      blocks.push({
        index: blocks.length,
        line: i + 1,
        mode: marker === null ? 'run' : (marker[1] as BlockMode),
        note: marker?.[2] ?? '',
        code: lines.slice(i + 1, close).join('\n'),
      });
    }
    lastText = '';
    i = close;
  }
  return blocks;
}

export interface WalkthroughOptions {
  /** The repository the working copy is made from. */
  readonly repoRoot: string;
  /** Files and folders of the repository copied into the working copy. */
  readonly copy: readonly string[];
  /** Longest a block may run (background: until ready). */
  readonly blockTimeoutMs?: number;
  readonly backgroundTimeoutMs?: number;
  /** Files of the working copy whose tail goes into a failure's message (e.g. prism.log). */
  readonly logFiles?: readonly string[];
  /** Called after each block, e.g. to print progress. */
  readonly onBlock?: (result: BlockResult) => void;
  /** Literal text replaced in every block before it runs: [what the README says, what this run uses]. */
  readonly rewrites?: readonly (readonly [string, string])[];
}

/** What the README says (localhost:3000), rewritten to the port this run uses. */
const README_PORT = 3000;

export class WalkthroughSession {
  private readonly groups = new Set<number>();
  private server: ChildProcess | undefined;
  private closed = false;

  private constructor(
    readonly workDir: string,
    private readonly stateDir: string,
    readonly port: number,
    private readonly options: WalkthroughOptions,
  ) {}

  static async create(options: WalkthroughOptions): Promise<WalkthroughSession> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'prism-walkthrough-'));
    const workDir = path.join(root, 'prism');
    const stateDir = path.join(root, 'session');
    await mkdir(workDir);
    await mkdir(stateDir);
    for (const entry of options.copy) {
      await cp(path.join(options.repoRoot, entry), path.join(workDir, entry), { recursive: true });
    }
    await symlink(path.join(options.repoRoot, 'node_modules'), path.join(workDir, 'node_modules'), 'dir');
    await writeFile(path.join(stateDir, 'cwd'), workDir);
    return new WalkthroughSession(workDir, stateDir, await freePort(), options);
  }

  /** The working copy's folder and the session's, removed by close(). */
  get root(): string {
    return path.dirname(this.workDir);
  }

  /** Runs the blocks in order; the first failure throws a WalkthroughBlockError. */
  async runAll(blocks: readonly ShellBlock[]): Promise<BlockResult[]> {
    const results: BlockResult[] = [];
    for (const block of blocks) {
      const result = await this.run(block);
      results.push(result);
      this.options.onBlock?.(result);
    }
    return results;
  }

  async run(block: ShellBlock): Promise<BlockResult> {
    const started = Date.now();
    const done = (ran: boolean, stdout = '', stderr = ''): BlockResult => ({
      block,
      ran,
      stdout,
      stderr,
      seconds: (Date.now() - started) / 1000,
    });
    switch (block.mode) {
      case 'skip':
        return done(false);
      case 'stop':
        await this.stopServer(block);
        return done(true);
      case 'background':
        await this.startServer(block);
        return done(true, ...(await this.outputOf(block)));
      case 'run':
        return done(true, ...(await this.runToEnd(block)));
    }
  }

  /** Kills every process group a block started and removes the working copy. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const group of this.groups) signalGroup(group, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while ([...this.groups].some(groupAlive) && Date.now() < deadline) await delay(200);
    for (const group of this.groups) signalGroup(group, 'SIGKILL');
    await rm(this.root, { recursive: true, force: true });
  }

  // Blocks ------------------------------------------------------------------------------------------

  private async runToEnd(block: ShellBlock): Promise<[string, string]> {
    const child = await this.spawnBlock(block);
    const timeoutMs = this.options.blockTimeoutMs ?? 180_000;
    const code = await exitOf(child, timeoutMs);
    // A block that left something behind (an unmarked `&`) must not outlive it. Forgetting the group
    // right away keeps close() from signalling a process group id the system has since reused.
    if (child.pid !== undefined) {
      signalGroup(child.pid, 'SIGKILL');
      this.groups.delete(child.pid);
    }
    const output = await this.outputOf(block);
    if (code !== 0) {
      throw await this.failure(
        block,
        code === 'timeout' ? `did not finish within ${timeoutMs / 1000}s` : `exited with ${code}`,
        output,
      );
    }
    return output;
  }

  private async startServer(block: ShellBlock): Promise<void> {
    if (this.server !== undefined && this.server.pid !== undefined && groupAlive(this.server.pid)) {
      throw await this.failure(block, 'starts a server while the previous one still runs (add a stop block)');
    }
    const child = await this.spawnBlock(block);
    this.server = child;
    const timeoutMs = this.options.backgroundTimeoutMs ?? 600_000;
    const deadline = Date.now() + timeoutMs;
    let code: number | null | undefined;
    child.once('exit', (exitCode) => (code = exitCode ?? -1));
    for (;;) {
      if (code !== undefined && code !== 0) {
        throw await this.failure(block, `exited with ${code} before the server was ready`);
      }
      if (await isReady(this.port)) break;
      if (Date.now() > deadline) {
        throw await this.failure(block, `no answer from /health/ready within ${timeoutMs / 1000}s`);
      }
      await delay(500);
    }
    // The block's own wait loop may still be about to exit and save the session; give it a moment.
    const settle = Date.now() + 15_000;
    while (code === undefined && Date.now() < settle) await delay(100);
  }

  private async stopServer(block: ShellBlock): Promise<void> {
    const group = this.server?.pid;
    if (group === undefined || !groupAlive(group)) {
      throw await this.failure(block, 'stops a server, but none is running');
    }
    signalGroup(group, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (groupAlive(group) && Date.now() < deadline) await delay(200);
    if (groupAlive(group)) signalGroup(group, 'SIGKILL');
    while (groupAlive(group)) await delay(100);
    while (await portAnswers(this.port)) await delay(200);
    this.groups.delete(group);
    this.server = undefined;
  }

  /** Starts `bash` on the block in its own process group, output to files (a server keeps no pipe open). */
  private async spawnBlock(block: ShellBlock): Promise<ChildProcess> {
    const state = this.stateDir;
    const script = [
      'set -euo pipefail',
      `if [ -f ${quote(`${state}/env.sh`)} ]; then source ${quote(`${state}/env.sh`)}; fi`,
      `cd "$(cat ${quote(`${state}/cwd`)})"`,
      // The session a terminal would keep: exported variables and the working directory.
      `trap 'export -p > ${quote(`${state}/env.tmp`)} && mv ${quote(`${state}/env.tmp`)} ${quote(`${state}/env.sh`)}; ` +
        `pwd > ${quote(`${state}/cwd`)}' EXIT`,
      (this.options.rewrites ?? []).reduce(
        (code, [from, to]) => code.replaceAll(from, to),
        rewritePort(block.code, this.port),
      ),
    ].join('\n');
    const scriptFile = path.join(state, `block-${block.index}.sh`);
    await writeFile(scriptFile, `${script}\n`);
    const out = openSync(path.join(state, `block-${block.index}.out`), 'w');
    const err = openSync(path.join(state, `block-${block.index}.err`), 'w');
    try {
      const child = spawn('bash', [scriptFile], {
        cwd: this.workDir,
        env: this.environment(),
        detached: true,
        stdio: ['ignore', out, err],
      });
      if (child.pid !== undefined) this.groups.add(child.pid);
      return child;
    } finally {
      closeSync(out);
      closeSync(err);
    }
  }

  private environment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (/^(PRISM_|npm_|JEST_)/i.test(name) || ['PORT', 'HOST', 'NODE_ENV', 'INIT_CWD'].includes(name))
        continue;
      env[name] = value;
    }
    env.PORT = String(this.port);
    env.PRISM_URL = `http://127.0.0.1:${this.port}`;
    return env;
  }

  private async outputOf(block: ShellBlock): Promise<[string, string]> {
    const read = (suffix: string) =>
      readFile(path.join(this.stateDir, `block-${block.index}.${suffix}`), 'utf8').catch(() => '');
    return [await read('out'), await read('err')];
  }

  private async failure(
    block: ShellBlock,
    what: string,
    output?: [string, string],
  ): Promise<WalkthroughBlockError> {
    const [stdout, stderr] = output ?? (await this.outputOf(block));
    const logs: string[] = [];
    for (const file of this.options.logFiles ?? []) {
      const text = await readFile(path.join(this.workDir, file), 'utf8').catch(() => undefined);
      if (text !== undefined) logs.push(`--- ${file} (tail)\n${tail(text)}`);
    }
    const files = await readdir(this.workDir).catch(() => []);
    return new WalkthroughBlockError(
      [
        `README block ${block.index} (line ${block.line}, ${block.mode}) ${what}:`,
        block.code,
        `--- stdout (tail)\n${tail(stdout)}`,
        `--- stderr (tail)\n${tail(stderr)}`,
        ...logs,
        `(working copy ${this.workDir}: ${files.join(' ')})`,
      ].join('\n'),
    );
  }
}

export function rewritePort(code: string, port: number): string {
  return code.replace(new RegExp(`\\b(localhost|127\\.0\\.0\\.1):${README_PORT}(?!\\d)`, 'g'), `$1:${port}`);
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | 'timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal === null ? -1 : 128));
    });
  });
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // already gone
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, {
      signal: AbortSignal.timeout(5000),
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
