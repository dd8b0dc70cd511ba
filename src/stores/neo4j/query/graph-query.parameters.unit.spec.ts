import type { NamedQuery } from '../../../core/plan';
import { bindParameters, rowCountParameters } from './graph-query.parameters';

const query = (body: string, names: string[]): NamedQuery => ({
  name: 'q',
  body,
  parameters: Object.fromEntries(names.map((name) => [name, { type: 'integer' as const, required: false }])),
});

describe('graph query row counts (issue #12: limit=-1 was a 500 from Neo4j)', () => {
  it('finds the parameters used right after LIMIT, SKIP or OFFSET, and nothing in strings or comments', () => {
    const q = query(
      `MATCH (n) WHERE n.note <> 'LIMIT $a' // SKIP $b
       RETURN n ORDER BY n.x skip $c limit $\`d\``,
      ['a', 'b', 'c', 'd'],
    );
    expect([...rowCountParameters(q)].sort()).toEqual(['c', 'd']);
  });

  it('refuses a negative or huge row count, naming the parameter, and keeps other integers free', () => {
    const q = query('MATCH (n) WHERE n.x > $min RETURN n LIMIT $limit', ['min', 'limit']);
    expect(() => bindParameters(q, { limit: '-1' })).toThrow(/"limit".*row count from 0 to 1000000/);
    expect(() => bindParameters(q, { limit: '1000001' })).toThrow(/"limit"/);
    expect(String(bindParameters(q, { min: '-5', limit: '0' }).limit)).toBe('0');
  });
});
