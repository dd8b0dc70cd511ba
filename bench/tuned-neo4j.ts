/**
 * A Neo4j for benchmarks, tuned the way one runs in production rather than for a quick test start:
 * the full tiered JIT (the test server stops at C1 to start faster), a 2 GB heap and a 1 GB page cache.
 * Same jars and launcher as the test server (test/stores/neo4j, built by `npm run stores:build`), its own
 * port and a throw-away home, so it never disturbs a test server that is running.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitUntilReady } from '../test/stores/probes';
import { REPO_ROOT } from '../test/stores/store-endpoints';

export interface TunedNeo4j {
  readonly url: string;
  /** The server's process (its CPU time is in /proc/<pid>/stat). */
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startTunedNeo4j(port = 7717): Promise<TunedNeo4j> {
  const project = path.join(REPO_ROOT, 'test', 'stores', 'neo4j');
  const classpathFile = path.join(project, 'target', 'classpath.txt');
  if (!fs.existsSync(classpathFile)) throw new Error('Neo4j launcher not built: run `npm run stores:build`.');
  const classpath = [path.join(project, 'target', 'classes'), fs.readFileSync(classpathFile, 'utf8').trim()];
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-bench-neo4j-'));
  const log = fs.openSync(path.join(home, 'server.log'), 'a');
  const child = spawn(
    process.env.PRISM_TEST_JAVA ?? 'java',
    [
      '-Xms2g',
      '-Xmx2g',
      '-cp',
      classpath.join(path.delimiter),
      'dev.prism.teststores.Neo4jTestServer',
      '--bolt-port',
      String(port),
      '--home',
      path.join(home, 'home'),
      '--page-cache-mb',
      '1024',
      '--log-level',
      'WARN',
    ],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `bolt://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    fs.rmSync(home, { recursive: true, force: true });
  };
  const failure = await waitUntilReady('neo4j', url, 240_000, () => !exited);
  if (failure) {
    const tail = fs.readFileSync(path.join(home, 'server.log'), 'utf8').slice(-2000);
    await stop();
    throw new Error(`${failure.message}\n${tail}`);
  }
  return { url, pid: child.pid!, stop };
}
