/**
 * The event store contract on a real KurrentDB. It runs when a server is given (PRISM_ESDB_URL) or when
 * Docker is available, in which case testcontainers starts one; otherwise the suite is listed as skipped.
 *
 * Image: docker.kurrent.io/kurrent-latest/kurrentdb:25.1 (override with PRISM_KURRENTDB_IMAGE). The
 * contract appends a 1 MiB payload, above KurrentDB's default max append size of 1 MiB, so the container
 * raises it; a server given by PRISM_ESDB_URL needs --max-append-size of at least 2 MiB for that test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { eventStoreContract } from '../../../test/contract/event-store.contract';
import { EventStoreUnavailableError } from '../event-store.errors';
import { createEventStore } from '../event-store.factory';
import { createKurrentDbEventStore } from './kurrentdb-event-store';

const SUITE = 'KurrentDB event store contract';
const IMAGE = process.env.PRISM_KURRENTDB_IMAGE ?? 'docker.kurrent.io/kurrent-latest/kurrentdb:25.1';
const HTTP_PORT = 2113;

function dockerAvailable(): boolean {
  if (process.env.DOCKER_HOST !== undefined && process.env.DOCKER_HOST !== '') return true;
  if (existsSync('/var/run/docker.sock')) return true;
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

const givenUrl = process.env.PRISM_ESDB_URL;
const source = givenUrl ? 'url' : dockerAvailable() ? 'docker' : 'none';
if (source === 'none') {
  console.warn(
    `SKIPPED "${SUITE}": no KurrentDB server (set PRISM_ESDB_URL=kurrentdb://host:2113?tls=false, or run with Docker available)`,
  );
}

(source === 'none' ? describe.skip : describe)('KurrentDB event store', () => {
  let container: StartedTestContainer | undefined;
  let connectionString = givenUrl ?? '';

  beforeAll(async () => {
    if (source !== 'docker') return;
    container = await new GenericContainer(IMAGE)
      .withEnvironment({
        KURRENTDB_INSECURE: 'true',
        KURRENTDB_RUN_PROJECTIONS: 'All',
        KURRENTDB_MAX_APPEND_SIZE: String(4 * 1024 * 1024),
      })
      .withExposedPorts(HTTP_PORT)
      .withWaitStrategy(
        Wait.forHttp('/health/live', HTTP_PORT).forStatusCodeMatching((status) => status < 300),
      )
      .withStartupTimeout(120_000)
      .start();
    connectionString = `kurrentdb://${container.getHost()}:${container.getMappedPort(HTTP_PORT)}?tls=false`;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  eventStoreContract(SUITE, () => createEventStore({ kind: 'kurrentdb', connectionString }), {
    // KurrentDB deduplicates a retried append by its ids, but does not reject an id used in another stream.
    uniqueIdsAcrossLog: false,
  });
});

describe('KurrentDB adapter without a server', () => {
  it('rejects calls with EventStoreUnavailableError and a clear message', async () => {
    const store = createKurrentDbEventStore({
      connectionString: 'kurrentdb://admin:secret@127.0.0.1:1?tls=false',
    });
    const failure = await store
      .append('s', [{ type: 'T', data: {} }], 'any')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EventStoreUnavailableError);
    const message = (failure as Error).message;
    expect(message).toContain('kurrentdb event store is unavailable');
    expect(message).toContain('127.0.0.1:1');
    expect(message).toContain('PRISM_ESDB_URL');
    expect(message).not.toContain('secret');
    await expect(store.readStream('s')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.readAll({ maxCount: 1 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    const subscription = store.subscribeToAll();
    await expect(subscription[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    await store.close();
  });
});
