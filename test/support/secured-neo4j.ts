/**
 * A second, private Neo4j with authentication and Bolt TLS on (issue #18), started from the repo's own
 * launcher (test/stores/neo4j, `--password` and `--tls-dir`) on a free loopback port for one test file,
 * and stopped after it. The shared test Neo4j stays as it is (auth and TLS off).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { build, isBuilt, JAVA_STORES } from '../stores/java-store';
import { REPO_ROOT } from '../stores/store-endpoints';
import type { TestCertificates } from './certificates';

export interface SecuredNeo4j {
  readonly port: number;
  /** Plain `bolt://` URL: TLS is turned on by the client's CA setting. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startSecuredNeo4j(options: {
  readonly directory: string;
  readonly password: string;
  readonly certificates: TestCertificates;
  readonly timeoutMs?: number;
}): Promise<SecuredNeo4j> {
  // The shared Neo4j may be an external one (PRISM_NEO4J_URL), so the launcher may not be built yet.
  if (!isBuilt(JAVA_STORES.neo4j)) build(JAVA_STORES.neo4j);
  const project = path.join(REPO_ROOT, 'test', 'stores', 'neo4j');
  const tlsDir = path.join(options.directory, 'neo4j-tls');
  mkdirSync(tlsDir, { recursive: true });
  copyFileSync(options.certificates.keyFile, path.join(tlsDir, 'private.key'));
  copyFileSync(options.certificates.certFile, path.join(tlsDir, 'public.crt'));
  const port = await freePort();
  const classpath = [
    path.join(project, 'target', 'classes'),
    readFileSync(path.join(project, 'target', 'classpath.txt'), 'utf8').trim(),
  ].join(path.delimiter);
  const child = spawn(
    process.env.PRISM_TEST_JAVA ?? 'java',
    [
      '-Xms128m',
      '-Xmx512m',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      classpath,
      'dev.prism.teststores.Neo4jTestServer',
      '--bolt-port',
      String(port),
      '--home',
      path.join(options.directory, 'neo4j-home'),
      '--page-cache-mb',
      '64',
      '--password',
      options.password,
      '--tls-dir',
      tlsDir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForReadyLine(child, options.timeoutMs ?? 240_000);
  return {
    port,
    url: `bolt://127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}

function waitForReadyLine(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`secured Neo4j did not start in ${timeoutMs} ms:\n${output.slice(-2_000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('READY bolt://')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`secured Neo4j exited with ${code}:\n${output.slice(-2_000)}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}
