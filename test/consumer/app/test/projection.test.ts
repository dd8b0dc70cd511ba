/** The app's projection data tests (projections/*.test.yaml), one node:test test per case. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { collectProjectionTests, formatDefinitionError } from '@prism/platform';

const files = collectProjectionTests([path.join(__dirname, '..', '..', 'projections')]);

void test('finds the app’s projection tests', () => {
  assert.equal(files.length, 1);
  assert.deepEqual(files[0]?.problems.map(formatDefinitionError), []);
});

for (const file of files)
  for (const { testCase, run } of file.cases)
    void test(`${file.projection ?? file.file}: ${testCase.name}`, () => {
      const result = run();
      assert.deepEqual(result.failures, []);
      assert.equal(result.passed, true);
    });
