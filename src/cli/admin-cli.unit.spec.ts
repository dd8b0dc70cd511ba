import type { GenerationStatusJson, ProjectionStatusJson } from './admin-client';
import { formatNodes } from './commands/admin-nodes.command';
import { formatStatuses } from './commands/admin-status.command';
import { duration, percent, progressLine, table } from './commands/admin-support';

function generation(overrides: Partial<GenerationStatusJson> = {}): GenerationStatusJson {
  return {
    generation: 1,
    fingerprint: 'f'.repeat(64),
    state: 'live',
    checkpoint: '120',
    head: '120',
    behind: '0',
    lagSeconds: 0,
    eventsPerSecond: 0,
    eventsApplied: 120,
    catchUp: null,
    progress: 1,
    etaSeconds: 0,
    parked: 0,
    held: 0,
    lastError: null,
    stall: null,
    ...overrides,
  };
}

describe('admin command formats', () => {
  it('writes durations compactly and – when unknown', () => {
    expect([0, 5.4, 65, 3599, 3725, null].map(duration)).toEqual([
      '0s',
      '5s',
      '1m05s',
      '59m59s',
      '1h02m',
      '–',
    ]);
    expect(percent(0.4567)).toBe('45.7%');
  });

  it('aligns table columns', () => {
    expect(
      table([
        ['A', 'BB'],
        ['ccc', 'd'],
      ]),
    ).toEqual(['A    BB', 'ccc  d']);
  });

  it('shows a rebuild, the last error and the notes under the table', () => {
    const status: ProjectionStatusJson = {
      name: 'orders',
      state: 'rebuilding',
      live: generation({
        lastError: {
          message: 'connection refused',
          kind: 'transient',
          attempts: 3,
          at: '2026-01-01T00:00:00Z',
          store: 'view-store',
        },
      }),
      rebuild: generation({
        generation: 2,
        state: 'rebuilding',
        checkpoint: '30',
        progress: 0.25,
        eventsPerSecond: 1234.4,
        etaSeconds: 90,
      }),
      stall: null,
      notes: ['Live generation 1 keeps serving reads'],
    };
    const failed: ProjectionStatusJson = {
      name: 'search',
      state: 'failed',
      live: null,
      rebuild: null,
      stall: null,
      notes: [],
    };
    expect(formatStatuses([status, failed])).toEqual([
      'NAME    STATE       GEN  CHECKPOINT  HEAD  BEHIND  LAG  RATE  PROGRESS  ETA  PARKED  HELD',
      'orders  rebuilding  1    120         120   0       0s   0/s   100.0%    0s   0       0',
      'search  failed      –    –           –     –       –    –     –         –    –       –',
      '  rebuilding orders generation 2: 25.0% (30/120), 1234/s, ETA 1m30s',
      '  orders generation 1: last error (transient, 3 attempt(s)): connection refused',
      '  orders: Live generation 1 keeps serving reads',
    ]);
    expect(progressLine('orders', status.rebuild!, true)).toBe(
      'orders generation 2: 25.0% (30/120), 1234/s, ETA 1m30s (paused: `prism resume` to continue)',
    );
  });

  it('says which store a stalled projection waits on, and lists the errors of a broken definition', () => {
    const stalled: ProjectionStatusJson = {
      name: 'search',
      state: 'stalled',
      live: generation({ state: 'stalled' }),
      rebuild: null,
      stall: {
        store: 'view-store',
        kind: 'elasticsearch',
        since: '2026-01-01T00:00:00.000Z',
        lastError: 'no answer from the elasticsearch view store for 31 s',
      },
      notes: [],
    };
    const broken: ProjectionStatusJson = {
      name: 'orders_x',
      state: 'broken-definition',
      live: null,
      rebuild: null,
      stall: null,
      notes: [],
      file: 'projections/orders-x.yaml',
      errors: ['projections/orders-x.yaml:3:5: unknown alias "x"'],
    };
    expect(formatStatuses([stalled, broken]).slice(3)).toEqual([
      '  search: stalled since 2026-01-01T00:00:00.000Z on the view store (elasticsearch): ' +
        'no answer from the elasticsearch view store for 31 s',
      '  orders_x: broken definition, not running (projections/orders-x.yaml):',
      '    projections/orders-x.yaml:3:5: unknown alias "x"',
    ]);
  });
});

describe('prism nodes and owners (issue #15)', () => {
  it('lists every node with its leases under the table, marking the one that answered', () => {
    const lines = formatNodes({
      coordination: 'postgres',
      nodes: [
        {
          id: 'worker-1',
          role: 'worker',
          version: '0.1.0',
          startedAt: '2026-12-06T05:00:00.000Z',
          heartbeatAt: '2026-12-06T05:10:00.000Z',
          heartbeatAgeMs: 800,
          alive: true,
          self: false,
          definitions: { order_summary: 'f'.repeat(8) },
          leases: [
            {
              projection: 'order_summary',
              epoch: '3',
              since: '2026-12-06T05:09:48.000Z',
              ageMs: 12_000,
              expiresInMs: 5_200,
            },
          ],
        },
        {
          id: 'api-1',
          role: 'api',
          version: '0.1.0',
          startedAt: '2026-12-06T05:00:01.000Z',
          heartbeatAt: '2026-12-06T05:10:00.000Z',
          heartbeatAgeMs: 1_500,
          alive: true,
          self: true,
          definitions: {},
          leases: [],
        },
      ],
    });
    expect(lines[0]).toMatch(/^NODE\s+ROLE\s+VERSION\s+ALIVE\s+HEARTBEAT\s+STARTED\s+LEASES$/);
    expect(lines[1]).toMatch(
      /^worker-1\s+worker\s+0\.1\.0\s+yes\s+0\.8s ago\s+2026-12-06T05:00:00\.000Z\s+1$/,
    );
    expect(lines[2]).toMatch(/^api-1 \*\s+api\s+.*\s+0$/);
    expect(lines).toContain(
      '  worker-1 holds order_summary: epoch 3, held 12.0s, expires in 5.2s unless renewed',
    );
    expect(formatNodes({ coordination: 'in-process', nodes: [] })).toEqual([
      'No node is announced in the in-process coordination store.',
    ]);
  });

  it('names the owner of each projection under the status table', () => {
    const status: ProjectionStatusJson = {
      name: 'order_summary',
      state: 'live',
      live: generation(),
      rebuild: null,
      stall: null,
      notes: [],
      owner: { node: 'worker-1', epoch: '3', since: '2026-12-06T05:09:48.000Z', leaseAgeMs: 65_000 },
      reportedAt: '2026-12-06T05:10:00.000Z',
    };
    expect(formatStatuses([status])).toContain(
      '  order_summary: run by worker-1 (lease epoch 3, held 1m05s), numbers as reported at 2026-12-06T05:10:00.000Z',
    );
  });
});
