import type { RelationalTargetShape } from '../relational/relational-view-shape';
import { UniqueIndexedDocuments } from './unique-indexes';

const shape: RelationalTargetShape = {
  kind: 'postgres',
  table: 'customers',
  key: 'id',
  columns: {
    id: { type: 'text', nullable: false },
    email: { type: 'text', nullable: true },
    region: { type: 'integer', nullable: true },
    code: { type: 'integer', nullable: true },
    city: { type: 'text', nullable: true },
  },
  indexes: [
    { columns: ['email'], unique: true },
    { columns: ['region', 'code'], unique: true },
    { columns: ['city'], unique: false },
  ],
};

describe('UniqueIndexedDocuments (the unique indexes of a relational view, in memory)', () => {
  it('refuses a second key with the same value, as PostgreSQL does (issue #12)', () => {
    const documents = UniqueIndexedDocuments.forShape(shape);
    documents.set('a', { id: 'a', email: 'x@y', city: 'Oslo' });
    expect(documents.violation({ id: 'b', email: 'x@y' })).toMatch(
      /duplicate key value violates unique index on \(email\): \["x@y"\] is already held by key "a"/,
    );
    // The same key may keep its value; a non-unique index never refuses.
    expect(documents.violation({ id: 'a', email: 'x@y' })).toBeUndefined();
    expect(documents.violation({ id: 'b', email: 'other', city: 'Oslo' })).toBeUndefined();
  });

  it('frees a value when its document changes it or is deleted', () => {
    const documents = UniqueIndexedDocuments.forShape(shape);
    documents.set('a', { id: 'a', email: 'x@y' });
    documents.set('a', { id: 'a', email: 'new@y' });
    expect(documents.violation({ id: 'b', email: 'x@y' })).toBeUndefined();
    expect(documents.violation({ id: 'b', email: 'new@y' })).toBeDefined();
    documents.delete('a');
    expect(documents.violation({ id: 'b', email: 'new@y' })).toBeUndefined();
    expect(documents.size).toBe(0);
  });

  it('treats NULLs as distinct and compares every column of a multi-column index by value', () => {
    const documents = UniqueIndexedDocuments.forShape(shape);
    documents.set('a', { id: 'a', email: null, region: 1, code: 7 });
    expect(documents.violation({ id: 'b', email: null, region: 1, code: null })).toBeUndefined();
    expect(documents.violation({ id: 'b', region: 1, code: 8 })).toBeUndefined();
    expect(documents.violation({ id: 'b', region: '1', code: 7 })).toMatch(/\(region, code\)/);
  });

  it('keeps nothing for views without unique indexes', () => {
    const documents = UniqueIndexedDocuments.forShape({ ...shape, indexes: [] } as RelationalTargetShape);
    documents.set('a', { id: 'a', email: 'x@y' });
    expect(documents.violation({ id: 'b', email: 'x@y' })).toBeUndefined();
  });
});
