import type { LeaseRecord, NodeRecord, PrismRole } from '../coordination.port';
import { preferredFingerprints } from './preferred-definitions';
import { planShare } from './share-plan';

const T0 = Date.parse('2026-12-06T05:00:00Z');

function node(
  id: string,
  definitions: Record<string, string>,
  options: { startedAt?: number; role?: PrismRole; alive?: boolean } = {},
): NodeRecord {
  const startedAt = new Date(options.startedAt ?? T0);
  return {
    id,
    role: options.role ?? 'worker',
    version: '1.0.0',
    definitions,
    report: null,
    startedAt,
    heartbeatAt: startedAt,
    alive: options.alive ?? true,
  };
}

function lease(resource: string, holder: string, expired = false): LeaseRecord {
  const at = new Date(T0);
  return { resource, holder, epoch: 1n, acquiredAt: at, renewedAt: at, expiresAt: at, expired };
}

const six = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => [name, `fp-${name}`]));

describe('preferredFingerprints (rolling deploys)', () => {
  it('prefers the definition of the live worker that started last', () => {
    const preferred = preferredFingerprints([
      node('old', { p: 'v1' }, { startedAt: T0 }),
      node('new', { p: 'v2' }, { startedAt: T0 + 60_000 }),
    ]);
    expect(preferred.get('p')).toBe('v2');
  });

  it('ignores api nodes and dead nodes, so a rollback on fresh workers wins the same way', () => {
    const preferred = preferredFingerprints([
      node('new', { p: 'v2' }, { startedAt: T0 }),
      node('api', { p: 'v3' }, { startedAt: T0 + 2, role: 'api' }),
      node('dead', { p: 'v4' }, { startedAt: T0 + 3, alive: false }),
      node('rollback', { p: 'v1' }, { startedAt: T0 + 1 }),
    ]);
    expect(preferred.get('p')).toBe('v1');
  });

  it('breaks a tie on the start time by the smallest node id', () => {
    const preferred = preferredFingerprints([node('b', { p: 'vb' }), node('a', { p: 'va' })]);
    expect(preferred.get('p')).toBe('va');
  });
});

describe('planShare', () => {
  it('does nothing until its own announcement is listed alive (and never gives up leases for that)', () => {
    const plan = planShare({
      self: 'me',
      nodes: [node('other', six)],
      leases: [],
      held: new Set(['a']),
      definitions: six,
    });
    expect(plan).toMatchObject({ acquire: [], release: [] });
  });

  it('lets the first node up take everything it may run', () => {
    const plan = planShare({
      self: 'one',
      nodes: [node('one', six)],
      leases: [],
      held: new Set(),
      definitions: six,
    });
    expect(plan.share).toBe(6);
    expect([...plan.acquire].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('above its fair share, gives up one lease per poll to a node below it', () => {
    const held = new Set(Object.keys(six));
    const input = {
      self: 'one',
      nodes: [node('one', six), node('two', six)],
      leases: [...held].map((name) => lease(name, 'one')),
      held,
      definitions: six,
    };
    const plan = planShare(input);
    expect(plan.share).toBe(3);
    expect(plan.release).toHaveLength(1);
    expect(plan.acquire).toEqual([]);
  });

  it('below its share, takes free and lapsed leases, but not leases another node holds', () => {
    const plan = planShare({
      self: 'two',
      nodes: [node('one', six), node('two', six)],
      leases: [lease('a', 'one'), lease('b', 'one'), lease('c', 'one', true), lease('d', 'one')],
      held: new Set(),
      definitions: six,
    });
    expect([...plan.acquire].sort()).toEqual(['c', 'e', 'f']);
  });

  it('does not take back a lease it gave up while another node below its share may run it', () => {
    const held = new Set(['a', 'b', 'c']);
    const plan = planShare({
      self: 'one',
      nodes: [node('one', six), node('two', six)],
      leases: [...held].map((name) => lease(name, 'one')),
      held,
      definitions: six,
    });
    expect(plan.acquire).toEqual([]);
  });

  it('takes a lease beyond its share when no other live worker may run that projection', () => {
    // `two` loaded an older definition of everything: only `one` may run them.
    const older = Object.fromEntries(Object.keys(six).map((name) => [name, 'old']));
    const plan = planShare({
      self: 'one',
      nodes: [node('one', six, { startedAt: T0 + 1 }), node('two', older)],
      leases: [],
      held: new Set(),
      definitions: six,
    });
    expect(plan.acquire).toHaveLength(6);
  });

  it('gives up the leases of projections a newer node runs another definition of', () => {
    const plan = planShare({
      self: 'old',
      nodes: [node('old', { p: 'v1', q: 'q1' }), node('new', { p: 'v2', q: 'q1' }, { startedAt: T0 + 1 })],
      leases: [lease('p', 'old'), lease('q', 'old')],
      held: new Set(['p', 'q']),
      definitions: { p: 'v1', q: 'q1' },
    });
    expect(plan.release).toEqual(['p']);
    expect([...plan.runnable]).toEqual(['q']);
  });

  it('re-takes a lease the store still shows as its own (lost locally, or a restart with the same id)', () => {
    const plan = planShare({
      self: 'one',
      nodes: [node('one', { p: 'v1' })],
      leases: [lease('p', 'one')],
      held: new Set(),
      definitions: { p: 'v1' },
    });
    expect(plan.acquire).toEqual(['p']);
  });
});
