import { existsSync } from 'node:fs';
import type { RelationalTargetShape } from '../stores/relational/relational-view-shape';
import { SpilledDocuments } from './spilled-documents';

const CUSTOMERS: RelationalTargetShape = {
  kind: 'postgres',
  table: 'customers',
  key: 'id',
  columns: { id: { type: 'text', nullable: false }, email: { type: 'text', nullable: true } },
  indexes: [{ columns: ['email'], unique: true }],
};

describe('SpilledDocuments (verify keeps the rebuilt documents in a file, issue #17)', () => {
  it('reads back, replaces and deletes documents once they left the in-memory cache', () => {
    const documents = SpilledDocuments.create(CUSTOMERS, 2);
    try {
      for (let i = 0; i < 10; i++) documents.set(`c${i}`, { id: `c${i}`, email: `c${i}@x.io` });
      expect(documents.get('c0')).toEqual({ id: 'c0', email: 'c0@x.io' });
      documents.set('c0', { id: 'c0', email: 'new@x.io' });
      documents.delete('c1');
      expect(documents.count).toBe(9);
      expect(documents.get('c0')).toEqual({ id: 'c0', email: 'new@x.io' });
      expect(documents.get('c1')).toBeUndefined();
      expect(documents.has('c9')).toBe(true);
    } finally {
      documents.close();
    }
  });

  it('finds the keys of the documents holding a value, spilled or cached, at most `limit` (fan-out updates)', () => {
    const documents = SpilledDocuments.create(CUSTOMERS, 2);
    try {
      for (let i = 0; i < 6; i++)
        documents.set(`c${i}`, { id: `c${i}`, email: i % 2 === 0 ? 'even' : 'odd' });
      documents.set('c2', { id: 'c2', email: 'moved' }); // spilled with 'even', changed in the cache
      expect(documents.findKeys('email', ['even', 'odd', 'none', 'moved'], 10)).toEqual([
        ['c0', 'c4'],
        ['c1', 'c3', 'c5'],
        [],
        ['c2'],
      ]);
      expect(documents.findKeys('email', ['odd'], 2)).toEqual([['c1', 'c3']]);
    } finally {
      documents.close();
    }
  });

  it('keeps unique indexes across spilled documents, freeing a value when its holder changes', () => {
    const documents = SpilledDocuments.create(CUSTOMERS, 1);
    try {
      documents.set('a', { id: 'a', email: 'same@x.io' });
      documents.set('b', { id: 'b', email: 'b@x.io' });
      expect(documents.violation({ id: 'c', email: 'same@x.io' })).toContain('already held by key "a"');
      documents.set('a', { id: 'a', email: 'other@x.io' }); // 'a' was spilled: its old value is unindexed
      expect(documents.violation({ id: 'c', email: 'same@x.io' })).toBeUndefined();
    } finally {
      documents.close();
    }
  });

  it('lists, a page at a time, the documents the live view did not list, and removes its file', () => {
    const documents = SpilledDocuments.create(CUSTOMERS, 3);
    for (let i = 0; i < 7; i++) documents.set(`k${i}`, { id: `k${i}` });
    documents.markSeen(['k1', 'k2', 'k5', 'not-rebuilt']);
    const pages = [...documents.unseen(2)].map((page) => page.map(([key]) => key));
    expect(pages).toEqual([
      ['k0', 'k3'],
      ['k4', 'k6'],
    ]);
    expect(documents.getMany(['k0', 'nope', 'k6'])).toEqual(
      new Map([
        ['k0', { id: 'k0' }],
        ['k6', { id: 'k6' }],
      ]),
    );
    const file = (documents as unknown as { folder: string }).folder;
    expect(existsSync(file)).toBe(true);
    documents.close();
    expect(existsSync(file)).toBe(false);
  });
});
