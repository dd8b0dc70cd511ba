import type { TargetKind } from '../core/view-shape';
import type { Target } from '../stores/target.port';
import { findOrphanedProjections } from './orphaned-projections';

/** Three kinds of view store; the listing names none, so any kind will do. */
const kindA = 'kind-a' as TargetKind;
const kindB = 'kind-b' as TargetKind;
const kindC = 'kind-c' as TargetKind;

/** A target of which only the registry is read. */
function registry(kind: Target['kind'], names: string[], hang = false): Target {
  return {
    kind,
    listProjections: () =>
      hang
        ? new Promise(() => undefined)
        : Promise.resolve(names.map((name) => ({ name, activeGeneration: 1, paused: false }))),
    listGenerations: () => Promise.resolve([]),
  } as unknown as Target;
}

describe('findOrphanedProjections', () => {
  it('lists names no definition has, by name, across stores', async () => {
    const orphans = await findOrphanedProjections(
      [registry(kindA, ['b', 'kept', 'a']), registry(kindB, ['b'])],
      { defined: (name) => name === 'kept', timeoutMs: 1_000 },
    );
    expect(orphans.map((o) => [o.name, o.views.map((v) => v.kind)])).toEqual([
      ['a', [kindA]],
      ['b', [kindA, kindB]],
    ]);
  });

  it('leaves out a store that does not answer in time, or cannot list its registry', async () => {
    const unreadable: string[] = [];
    const orphans = await findOrphanedProjections(
      [registry(kindC, ['x'], true), { kind: kindB } as unknown as Target, registry(kindA, ['y'])],
      { defined: () => false, timeoutMs: 50, onUnreadable: (kind) => unreadable.push(kind) },
    );
    expect(orphans.map((o) => o.name)).toEqual(['y']);
    expect(unreadable).toEqual([kindC]);
  });
});
