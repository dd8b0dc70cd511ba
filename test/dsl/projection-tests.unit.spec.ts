/**
 * Projection tests as data: every *.test.yaml under projections/ becomes a describe block, each of its
 * cases a Jest test (the same runner `prism test` uses).
 */
import { join } from 'node:path';
import { formatDefinitionError } from '../../src/dsl/errors/definition-error';
import { collectProjectionTests } from '../../src/dsl/testing/projection-test.runner';

const ROOT = join(__dirname, '..', '..');
const files = collectProjectionTests(['projections'], ROOT);

describe('projection tests as data', () => {
  it('finds a data test for each of the example projections', () => {
    expect(files.map((file) => file.projection).sort()).toEqual([
      'customer_directory',
      'customer_products',
      'customer_stats',
      'order_customers',
      'order_graph',
      'order_search',
      'order_summary',
      'product_search',
      'purchase_graph',
      'social_graph',
    ]);
  });

  describe.each(files.map((file) => [file.file, file] as const))('%s', (_file, file) => {
    it('loads', () => {
      expect(file.problems.map(formatDefinitionError)).toEqual([]);
    });
    it.each(file.cases.map(({ testCase, run }) => [testCase.name, run] as const))('%s', (_name, run) => {
      const result = run();
      expect(result.failures).toEqual([]);
      expect(result.passed).toBe(true);
    });
  });
});
