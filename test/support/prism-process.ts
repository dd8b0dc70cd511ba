/**
 * Prism as a real child process (`src/main.ts`, run by tsx), for tests that must see what the process
 * itself does: whether it survives a failure (issue #12 item 11), what it logs, its exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../stores/store-endpoints';

export interface PrismProcess {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Everything the process wrote so far. */
  output(): string;
  /** The exit, if it happened: code and signal. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone (a stopped one is continued first). */
  stop(graceMs?: number): Promise<void>;
  /** The process id (multi-process tests signal it: SIGKILL, SIGSTOP, SIGCONT). */
  readonly pid: number;
  /** Sends `signal` now; SIGKILL resolves once the process is gone, any other signal at once. */
  signal(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `src/main.ts` with `env` (on top of PATH and HOME only, so the caller's PRISM_* never leak in)
 * on a free port, and resolves once it listens. Rejects with its output if it exits or takes longer than
 * `timeoutMs` to listen.
 */
export async function startPrismProcess(
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<PrismProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'main.ts')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      PRISM_LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const gone = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Prism did not listen within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const listening = /Prism listening on (http:\/\/[^\s,"]+)/.exec(output);
      if (listening?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(listening[1].replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void gone.then(() => {
      clearTimeout(timer);
      reject(new Error(`Prism exited (${JSON.stringify(exit)}) before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    exited: () => exit,
    pid: child.pid!,
    signal: async (signal) => {
      if (exit !== undefined) return;
      child.kill(signal);
      if (signal === 'SIGKILL') await gone;
    },
    stop: async (graceMs = 10_000) => {
      if (exit !== undefined) return;
      // A SIGSTOPped process would hold SIGTERM pending until the grace ran out.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}
