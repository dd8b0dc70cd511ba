/**
 * The admin commands of `prism`, run in-process (createProgram with captured output) against a real Prism
 * listening on a free port, on PostgreSQL: tables and --json, rebuild --wait progress, and the errors an
 * operator meets (nothing listening, no key, a key of too low a role, an unknown projection).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '../config/app-config';
import { createPrismApp } from '../main';
import { ProjectionsService } from '../projection-host/projections.service';
import { describeWithStores, useTestDatabase } from '../../test/support/stores';
import type { CliIo } from './cli-io';
import { createProgram } from './program';

const ADMIN_KEY = 'admin-key-for-cli-e2e';
const WRITER_KEY = 'writer-key-for-cli-e2e';
const NAME = 'customer_directory';

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

describeWithStores(['postgres'], 'prism admin commands against a running Prism', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let app: INestApplication;
  let baseUrl: string;
  let projectionsDir: string;
  const savedEnv = { key: process.env.PRISM_API_KEY, url: process.env.PRISM_URL };

  beforeAll(async () => {
    projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-cli-'));
    fs.copyFileSync(
      path.join(__dirname, '../../projections/customer-directory.yaml'),
      path.join(projectionsDir, 'customer-directory.yaml'),
    );
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_PROJECTIONS_DIR: projectionsDir,
      PRISM_API_KEYS: `admin:${ADMIN_KEY},writer:${WRITER_KEY}`,
    });
    app = await createPrismApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    await app.get(ProjectionsService).ready();
  });

  afterAll(async () => {
    await app?.close();
    if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    process.env.PRISM_API_KEY = ADMIN_KEY;
    process.env.PRISM_URL = baseUrl;
  });

  afterEach(() => {
    for (const [name, value] of [
      ['PRISM_API_KEY', savedEnv.key],
      ['PRISM_URL', savedEnv.url],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    process.exitCode = undefined;
  });

  /** Runs `prism ...args`; `out` may be passed to watch the lines while it runs. */
  async function prism(...args: string[]): Promise<Run> {
    return prismInto([], ...args);
  }

  async function prismInto(out: string[], ...args: string[]): Promise<Run> {
    const err: string[] = [];
    const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), cwd: process.cwd() };
    process.exitCode = undefined;
    await createProgram(io).parseAsync(['node', 'prism', ...args]);
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { code, out, err };
  }

  it('status prints a table, and --json the API answer', async () => {
    const table = await prism('status');
    expect(table.code).toBe(0);
    expect(table.out[0]).toMatch(
      /^NAME\s+STATE\s+GEN\s+CHECKPOINT\s+HEAD\s+BEHIND\s+LAG\s+RATE\s+PROGRESS\s+ETA\s+PARKED\s+HELD$/,
    );
    expect(table.out[1]).toMatch(/^customer_directory\s+(live|starting|catching-up)\s+1\s+\d+\s+\d+\s+0\s+/);

    const json = await prism('status', NAME, '--json');
    expect(json.code).toBe(0);
    const status = JSON.parse(json.out.join('\n'));
    expect(status).toMatchObject({ name: NAME, live: { generation: 1, behind: '0' }, rebuild: null });

    const all = JSON.parse((await prism('status', '--json')).out.join('\n')) as {
      projections: { name: string }[];
    };
    expect(all.projections.map((p) => p.name)).toEqual([NAME]);
  });

  it('pause and resume', async () => {
    const paused = await prism('pause', NAME);
    expect(paused.code).toBe(0);
    expect(paused.out[0]).toBe(`✔ paused ${NAME}`);
    expect(paused.out[2]).toMatch(/^customer_directory\s+paused\s/);
    expect(JSON.parse((await prism('status', NAME, '--json')).out.join('\n')).state).toBe('paused');
    const resumed = await prism('resume', NAME, '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.out.join('\n')).state).not.toBe('paused');
  });

  it('rebuild --wait prints progress lines until the new generation is live', async () => {
    const registered = await fetch(`${baseUrl}/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITER_KEY}` },
      body: JSON.stringify({
        customerId: 'cli-ada',
        name: 'Ada',
        email: 'cli-ada@example.com',
        city: 'London',
      }),
    });
    expect(registered.status).toBe(201);
    // Paused, the new generation stays at 0 so progress lines are printed for sure; then it is resumed.
    expect((await prism('pause', NAME)).code).toBe(0);
    const out: string[] = [];
    const running = prismInto(out, 'rebuild', NAME, '--wait', '--interval', '20');
    const deadline = Date.now() + 10_000;
    // (A runner that has not read the head yet reports 0/0; wait for a line with the real head.)
    const atZero = /: 0\.0% \(0\/[1-9]\d*\), 0\/s, ETA \S+ \(paused: `prism resume` to continue\)$/;
    while (!out.some((line) => atZero.test(line)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await prism('resume', NAME)).code).toBe(0);
    const run = await running;
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out[0]).toContain(`Generation 2 of "${NAME}" is being built from the start of the log`);
    expect(run.out.slice(1, -1)).toContainEqual(expect.stringMatching(atZero));
    for (const line of run.out.slice(1, -1))
      expect(line).toMatch(
        /^customer_directory generation 2: \d+\.\d% \(\d+\/\d+\), \d+\/s, ETA \S+( \(paused.*)?$/,
      );
    expect(run.out.at(-1)).toMatch(/^✔ generation 2 of customer_directory is live at position \d+$/);
  });

  it('reset --json answers the new generation, and parked lists none', async () => {
    const reset = await prism('reset', NAME, '--json');
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.out.join('\n'))).toMatchObject({ projection: NAME, generation: 3, from: '0' });
    const parked = await prism('parked', NAME);
    expect(parked.out).toEqual([`${NAME} has no parked events.`]);
    expect(JSON.parse((await prism('parked', NAME, '--json')).out.join('\n'))).toEqual({
      projection: NAME,
      parked: [],
    });
  });

  it('status --wait-live waits for a running rebuild to be swapped in, printing progress', async () => {
    expect((await prism('pause', NAME)).code).toBe(0);
    expect((await prism('rebuild', NAME)).code).toBe(0);
    const out: string[] = [];
    const waiting = prismInto(out, 'status', NAME, '--wait-live', '--interval', '20');
    const deadline = Date.now() + 10_000;
    while (out.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(out[0]).toMatch(/^customer_directory generation \d+: .*\(paused: `prism resume` to continue\)$/);
    expect((await prism('resume', NAME)).code).toBe(0);
    const run = await waiting;
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    // The table comes last, once the new generation is live and no rebuild remains.
    const rebuilt = Number(/generation (\d+):/.exec(out[0]!)![1]);
    expect(run.out).toContainEqual(
      expect.stringMatching(new RegExp(`^customer_directory\\s+live\\s+${rebuilt}\\s`)),
    );
  });

  it('status --wait-live without a name is refused', async () => {
    const run = await prism('status', '--wait-live');
    expect(run.code).toBe(1);
    expect(run.err).toEqual(['--wait-live needs a projection name: `prism status <name> --wait-live`.']);
  });

  it('reports the server errors plainly: unknown projection, bad position, no parked event', async () => {
    const unknown = await prism('pause', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.err[0]).toBe(
      'No projection named "nope" is running; running: customer_directory. (HTTP 404 unknown_projection)',
    );
    const bad = await prism('replay', NAME, 'abc');
    expect(bad.code).toBe(1);
    expect(bad.err[0]).toContain('HTTP 400 invalid_position');
    const missing = await prism('discard', NAME, '1');
    expect(missing.err[0]).toContain('has no parked event at position 1');
  });

  it('says which role is needed on 401 and 403, without printing the key', async () => {
    delete process.env.PRISM_API_KEY;
    const none = await prism('status');
    expect(none.code).toBe(1);
    expect(none.err[0]).toBe(
      `Prism at ${baseUrl} needs an admin API key (401). No API key was given: set PRISM_API_KEY to a key with the admin role.`,
    );
    const writer = await prism('status', '--api-key', WRITER_KEY);
    expect(writer.code).toBe(1);
    expect(writer.err[0]).toBe(
      `Prism at ${baseUrl} refused the key (403): This route needs the admin role; the API key sent has the writer role. Send a key with the admin role.`,
    );
    expect(writer.err.join('\n')).not.toContain(WRITER_KEY);
  });

  it('names the URL when nothing listens there', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const run = await prism('status', '--url', `http://127.0.0.1:${port}`);
    expect(run.code).toBe(1);
    expect(run.err[0]).toBe(
      `Cannot connect to Prism at http://127.0.0.1:${port} (ECONNREFUSED); is it running there? Pass --url or set PRISM_URL to its address.`,
    );
  });
});
