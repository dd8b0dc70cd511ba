import type { ViewRef } from '../target.port';
import { GraphKnownNodes } from './graph-known-nodes';

const view = (projection = 'graph', generation = 1, segment?: number): ViewRef => ({
  projection,
  generation,
  shape: { kind: 'neo4j', nodes: {}, relationships: {} } as unknown as ViewRef['shape'],
  ...(segment === undefined ? {} : { segment }),
});

describe('GraphKnownNodes', () => {
  it('knows an empty graph at checkpoint 0 and follows its own commits, from the position it committed', () => {
    const known = new GraphKnownNodes();
    const first = known.take(view(), 0n)!;
    expect([...first.ids]).toEqual([]);
    known.keep(
      view(),
      first,
      10n,
      new Map([
        ['a', true],
        ['b', true],
      ]),
    );
    const second = known.take(view(), 10n)!;
    expect([...second.ids].sort()).toEqual(['a', 'b']);
    known.keep(
      view(),
      second,
      20n,
      new Map([
        ['a', false],
        ['c', true],
      ]),
    );
    expect([...known.take(view(), 20n)!.ids].sort()).toEqual(['b', 'c']);
  });

  it('knows nothing at a position it did not commit: another writer moved the checkpoint', () => {
    const known = new GraphKnownNodes();
    known.keep(view(), known.take(view(), 0n)!, 10n, new Map([['a', true]]));
    expect(known.take(view(), 15n)).toBeUndefined();
    // and the knowledge is gone, even for the position it had
    expect(known.take(view(), 10n)).toBeUndefined();
    // nor does a process that starts after position 0 know anything
    expect(new GraphKnownNodes().take(view(), 10n)).toBeUndefined();
  });

  it('lends a view to one commit at a time, and gets it back unchanged when that commit rolled back', () => {
    const known = new GraphKnownNodes();
    known.keep(view(), known.take(view(), 0n)!, 10n, new Map([['a', true]]));
    const taken = known.take(view(), 10n)!;
    expect(known.take(view(), 10n)).toBeUndefined();
    known.keep(view(), taken, 10n);
    expect([...known.take(view(), 10n)!.ids]).toEqual(['a']);
  });

  it('keeps views apart by projection, generation and segment, and never knows a later segment from 0', () => {
    const known = new GraphKnownNodes();
    known.keep(view('g', 1), known.take(view('g', 1), 0n)!, 5n, new Map([['one', true]]));
    known.keep(view('g', 2), known.take(view('g', 2), 0n)!, 7n, new Map([['two', true]]));
    expect(known.take(view('g', 1, 1), 0n)).toBeUndefined();
    expect([...known.take(view('g', 2), 7n)!.ids]).toEqual(['two']);
    expect([...known.take(view('g', 1, 0), 5n)!.ids]).toEqual(['one']);
  });

  it('drops the view whose commit takes all views past the limit, and keeps the others', () => {
    const known = new GraphKnownNodes(3);
    known.keep(
      view('a'),
      known.take(view('a'), 0n)!,
      1n,
      new Map([
        ['a1', true],
        ['a2', true],
      ]),
    );
    known.keep(
      view('b'),
      known.take(view('b'), 0n)!,
      1n,
      new Map([
        ['b1', true],
        ['b2', true],
      ]),
    );
    expect(known.take(view('b'), 1n)).toBeUndefined();
    expect([...known.take(view('a'), 1n)!.ids]).toEqual(['a1', 'a2']);
  });

  it('is off with a limit of 0, and forgets dropped generations and projections', () => {
    expect(new GraphKnownNodes(0).take(view(), 0n)).toBeUndefined();
    const known = new GraphKnownNodes();
    for (const v of [view('p', 1), view('p', 2), view('q', 1)])
      known.keep(v, known.take(v, 0n)!, 1n, new Map());
    known.forget('p', 1);
    expect(known.take(view('p', 1), 1n)).toBeUndefined();
    expect(known.take(view('p', 2), 1n)).toBeDefined();
    known.keep(view('p', 2), { ids: new Set() }, 1n);
    known.forget('p');
    expect(known.take(view('p', 2), 1n)).toBeUndefined();
    expect(known.take(view('q', 1), 1n)).toBeDefined();
  });
});
