/**
 * Issue #15: the role, coordination and node options. A role that needs other processes refuses to start
 * on a store only one process can use, naming the option and what to configure; the coordination store is
 * derived from the configured stores (the relational view store's PostgreSQL first); env variables map.
 */
import { hostname } from 'node:os';
import { InProcessCoordinationStore } from './in-process/in-process-coordination-store';
import { ConfigValidationError, loadConfig } from '../config/app-config';
import { prismOptionsFromEnv } from '../nest/prism-options-from-env';
import type { PrismOptions } from '../nest/prism-options';
import { PrismOptionsError, resolvePrismOptions } from '../nest/resolve-options';

const EMBEDDED = { kind: 'embedded', file: './data/events.sqlite' } as const;
const PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function problemsOf(options: unknown, context = {}): Record<string, string> {
  try {
    resolvePrismOptions(options as PrismOptions, context);
  } catch (error) {
    if (!(error instanceof PrismOptionsError)) throw error;
    return Object.fromEntries(error.problems.map(({ option, problem }) => [option, problem]));
  }
  throw new Error('expected the options to be refused');
}

describe('role, coordination and node options', () => {
  it('defaults to role all, an in-process store without PostgreSQL, and the node defaults', () => {
    const config = resolvePrismOptions({ eventStore: EMBEDDED });
    expect(config.role).toBe('all');
    expect(config.coordination).toMatchObject({ kind: 'settings', settings: { kind: 'in-process' } });
    expect(config.node).toMatchObject({
      leaseTtlMs: 6000,
      renewEveryMs: 2000,
      pollEveryMs: 1000,
      heartbeatTtlMs: 6000,
      adminWaitMs: 30000,
    });
    expect(config.node.id).toBe(`${hostname()}-${process.pid}`);
  });

  it('refuses api and worker on a store one process uses alone, saying what to configure', () => {
    for (const role of ['api', 'worker']) {
      const problems = problemsOf({ eventStore: EMBEDDED, role });
      expect(problems.role).toContain('roles need a shared store: PostgreSQL or KurrentDB');
      expect(problems.role).toContain(`Role "${role}"`);
    }
    expect(
      problemsOf({ eventStore: EMBEDDED, role: 'api', coordination: new InProcessCoordinationStore() }),
    ).toEqual({ role: expect.stringContaining('"in-process" store one process uses alone') });
    expect(problemsOf({ eventStore: EMBEDDED, role: 'boss' })).toEqual({
      role: expect.stringContaining('expected one of all, api, worker'),
    });
  });

  it('derives PostgreSQL from the relational view store first, then the event store, then KurrentDB', () => {
    const fromViews = resolvePrismOptions({
      eventStore: { kind: 'kurrentdb', connectionString: 'kurrentdb://127.0.0.1:2113?tls=false' },
      viewStores: { relational: { url: PG_URL, schema: 'views' } },
      role: 'worker',
    });
    expect(fromViews.role).toBe('worker');
    expect(fromViews.coordination).toMatchObject({
      settings: { kind: 'postgres', url: PG_URL, schema: 'views' },
      from: "the relational view store's PostgreSQL",
    });
    const fromEvents = resolvePrismOptions({ eventStore: { kind: 'postgres', url: PG_URL, schema: 'ev' } });
    expect(fromEvents.coordination).toMatchObject({
      settings: { kind: 'postgres', url: PG_URL, schema: 'ev' },
    });
    const kurrent = resolvePrismOptions({
      eventStore: { kind: 'kurrentdb', connectionString: 'kurrentdb://127.0.0.1:2113?tls=false' },
      role: 'api',
    });
    expect(kurrent.coordination).toMatchObject({
      settings: { kind: 'kurrentdb', connectionString: 'kurrentdb://127.0.0.1:2113?tls=false' },
    });
  });

  it('takes a given store or settings, and checks node timings', () => {
    const store = new InProcessCoordinationStore();
    expect(resolvePrismOptions({ eventStore: EMBEDDED, coordination: store }).coordination).toEqual({
      kind: 'store',
      store,
    });
    expect(problemsOf({ eventStore: EMBEDDED, coordination: { kind: 'postgres', schema: 'x' } })).toEqual({
      coordination: 'give either `pool` or `url`',
    });
    expect(problemsOf({ eventStore: EMBEDDED, coordination: { kind: 'zookeeper' } })).toEqual({
      'coordination.kind': expect.stringContaining('postgres'),
    });
    expect(problemsOf({ eventStore: EMBEDDED, node: { id: 'has space' } })).toEqual({
      'node.id': expect.stringContaining('letters, digits'),
    });
    expect(problemsOf({ eventStore: EMBEDDED, node: { leaseTtlMs: 2000, renewEveryMs: 1500 } })).toEqual({
      'node.renewEveryMs': expect.stringContaining('at most half of node.leaseTtlMs (2000 ms)'),
    });
    expect(problemsOf({ eventStore: EMBEDDED, node: { leaseTtl: 5 } })).toEqual({
      node: expect.stringContaining('leaseTtl'),
    });
    const node = resolvePrismOptions({ eventStore: EMBEDDED, node: { id: 'w-1', leaseTtlMs: 3000 } }).node;
    expect(node).toMatchObject({ id: 'w-1', leaseTtlMs: 3000, renewEveryMs: 1000, heartbeatTtlMs: 3000 });
  });

  it('wants forRootAsync’s role beside the factory, where the routes are decided', () => {
    expect(problemsOf({ eventStore: EMBEDDED, role: 'all' }, { fromFactory: true })).toEqual({
      role: expect.stringContaining('beside `useFactory`'),
    });
    const config = resolvePrismOptions(
      { eventStore: { kind: 'postgres', url: PG_URL, schema: 'prism' } },
      { fromFactory: true, role: 'api' },
    );
    expect(config.role).toBe('api');
  });

  it('reads PRISM_ROLE, PRISM_NODE_ID and PRISM_LEASE_TTL_MS, refusing a role without a shared store', () => {
    const options = prismOptionsFromEnv({
      PRISM_PG_URL: PG_URL,
      PRISM_ROLE: 'worker',
      PRISM_NODE_ID: 'worker-2',
      PRISM_LEASE_TTL_MS: '3000',
    });
    expect(options).toMatchObject({ role: 'worker', node: { id: 'worker-2', leaseTtlMs: 3000 } });
    expect(resolvePrismOptions(options).coordination).toMatchObject({
      settings: { kind: 'postgres', url: PG_URL, schema: 'prism' },
    });
    expect(() => loadConfig({ PRISM_ROLE: 'api' })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ PRISM_ROLE: 'api' })).toThrow(/PRISM_ROLE="api": roles need a shared store/);
    expect(() => loadConfig({ PRISM_ROLE: 'primary' })).toThrow(/expected one of all, api, worker/);
    expect(() => loadConfig({ PRISM_LEASE_TTL_MS: '10' })).toThrow(/PRISM_LEASE_TTL_MS/);
    expect(loadConfig({}).node).toEqual({ role: 'all', leaseTtlMs: 6000 });
  });
});
