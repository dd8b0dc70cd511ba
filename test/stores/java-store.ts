/**
 * Builds and runs one Java-launched test store (Elasticsearch or Neo4j) as a detached local process.
 * Each launcher is a small Maven project under test/stores/<name>/ whose `package` phase writes
 * target/classpath.txt; Maven's local repository caches the jars between runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ES_HTTP_PORT, NEO4J_BOLT_PORT, REPO_ROOT, STORES_STATE_DIR } from './store-endpoints';

export interface JavaStoreSpec {
  readonly name: 'elasticsearch' | 'neo4j';
  readonly mainClass: string;
  readonly heap: string;
  readonly jvmFlags: readonly string[];
  readonly args: (home: string) => string[];
}

export const JAVA_STORES: Record<JavaStoreSpec['name'], JavaStoreSpec> = {
  elasticsearch: {
    name: 'elasticsearch',
    mainClass: 'org.elasticsearch.node.PrismTestNode',
    heap: '1g',
    jvmFlags: [],
    args: (home) => ['--http-port', String(ES_HTTP_PORT), '--home', home],
  },
  neo4j: {
    name: 'neo4j',
    mainClass: 'dev.prism.teststores.Neo4jTestServer',
    heap: '1g',
    // C1 only: halves Neo4j's start-up CPU on 2 cores (measured 23 s -> 13 s of CPU) with no loss for tests.
    jvmFlags: ['-XX:TieredStopAtLevel=1'],
    args: (home) => ['--bolt-port', String(NEO4J_BOLT_PORT), '--home', home],
  },
};

const projectDir = (spec: JavaStoreSpec) => path.join(REPO_ROOT, 'test', 'stores', spec.name);
const stateDir = (spec: JavaStoreSpec) => path.join(STORES_STATE_DIR, spec.name);
export const logFile = (spec: JavaStoreSpec) => path.join(stateDir(spec), 'store.log');
const pidFile = (spec: JavaStoreSpec) => path.join(stateDir(spec), 'pid');

export function isBuilt(spec: JavaStoreSpec): boolean {
  return fs.existsSync(path.join(projectDir(spec), 'target', 'classpath.txt'));
}

export function build(spec: JavaStoreSpec): void {
  execFileSync('mvn', ['-B', '-q', '-f', path.join(projectDir(spec), 'pom.xml'), 'package', '-DskipTests'], {
    stdio: 'inherit',
    cwd: REPO_ROOT,
  });
}

/** Starts the store detached with a fresh data directory, so a new run never sees an old run's data. */
export function start(spec: JavaStoreSpec): number {
  const dir = stateDir(spec);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const classpath = [
    path.join(projectDir(spec), 'target', 'classes'),
    fs.readFileSync(path.join(projectDir(spec), 'target', 'classpath.txt'), 'utf8').trim(),
  ].join(path.delimiter);
  const log = fs.openSync(logFile(spec), 'a');
  const java = process.env.PRISM_TEST_JAVA ?? 'java';
  const child = spawn(
    java,
    [
      `-Xms256m`,
      `-Xmx${spec.heap}`,
      ...spec.jvmFlags,
      '-cp',
      classpath,
      spec.mainClass,
      ...spec.args(path.join(dir, 'home')),
    ],
    { detached: true, stdio: ['ignore', log, log], cwd: dir },
  );
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not spawn ${java} for ${spec.name}`);
  child.unref();
  fs.writeFileSync(pidFile(spec), String(child.pid));
  return child.pid;
}

export function runningPid(spec: JavaStoreSpec): number | undefined {
  if (!fs.existsSync(pidFile(spec))) return undefined;
  const pid = Number(fs.readFileSync(pidFile(spec), 'utf8'));
  return isAlive(pid) ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM lets the launcher close the store cleanly; SIGKILL only if it does not within the grace period. */
export async function stop(spec: JavaStoreSpec, graceMs = 30_000): Promise<boolean> {
  const pid = runningPid(spec);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(pidFile(spec), { force: true });
  return true;
}

export function logTail(spec: JavaStoreSpec, lines = 40): string {
  if (!fs.existsSync(logFile(spec))) return '(no log written)';
  return fs.readFileSync(logFile(spec), 'utf8').split('\n').slice(-lines).join('\n');
}
