/**
 * Every broken definition must produce exactly the errors its .expected file lists: same codes, same
 * positions, same messages and suggestions, nothing more.
 */
import { formatDefinitionError, type DefinitionErrorCode } from '../../src/dsl/errors/definition-error';
import { checkDefinitions } from '../../src/dsl/loader/definition.loader';
import { BROKEN_FOLDER, brokenCases, catalogOfCase } from './broken-corpus';

const cases = brokenCases();

describe('broken-definition corpus', () => {
  it.each(cases.map((brokenCase) => [brokenCase.entry, brokenCase] as const))(
    '%s reports exactly its expected errors',
    (_entry, brokenCase) => {
      // the example marketplace's event catalog, plus the case's own catalog file when it has one
      const build = catalogOfCase(brokenCase);
      const problems = build.catalog
        ? checkDefinitions([brokenCase.entry], BROKEN_FOLDER, { catalog: build.catalog }).problems
        : build.problems;
      expect(problems.map(formatDefinitionError)).toEqual(brokenCase.expected);
    },
  );

  it('holds at least 40 broken definitions', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it('covers every error code the DSL reports', () => {
    // A code without a corpus case is a message nobody has read; keep this list equal to DefinitionErrorCode.
    // `false`: a code no file in git can produce (an unreadable file, a bug); definition-file.unit.spec.ts
    // covers those.
    const allCodes: Record<DefinitionErrorCode, boolean> = {
      'file-unreadable': false,
      'internal-error': false,
      'file-too-large': true,
      encoding: true,
      'yaml-alias': true,
      'yaml-too-deep': true,
      'limit-exceeded': true,
      'reserved-name': true,
      'unknown-event-type': true,
      'query-forbidden': true,
      'query-parameter-placement': true,
      'yaml-syntax': true,
      'unknown-key': true,
      'wrong-type': true,
      'missing-field': true,
      'invalid-value': true,
      'invalid-name': true,
      'too-small': true,
      'unknown-target-kind': true,
      'unknown-action': true,
      'ambiguous-action': true,
      'duplicate-event-type': true,
      'handler-for-unknown-event': true,
      'event-without-handler': true,
      'action-not-for-target': true,
      'key-not-declared': true,
      'key-nullable': true,
      'key-column-written': true,
      'field-written-twice': true,
      'unknown-column': true,
      'unknown-field': true,
      'unknown-label': true,
      'unknown-relationship-type': true,
      'unknown-property': true,
      'label-mismatch': true,
      'not-null-unset': true,
      'increment-not-numeric': true,
      'append-not-array': true,
      'empty-action': true,
      'facet-not-aggregatable': true,
      'expression-syntax': true,
      'expression-type': true,
      'expression-limit': true,
      'expression-regex': true,
      'segments-not-supported': true,
      'unknown-lookup': true,
      'lookup-read': true,
      'lookup-not-maintained': true,
      'lookup-read-before-remember': true,
      'lookup-unused': true,
      // every built-in store keeps lookups; target-kinds.unit.spec.ts registers one that does not
      'lookups-not-supported': false,
      'fan-out-where': true,
      'invalid-index': true,
      'fan-out-not-secondary-key': true,
      // every built-in document store finds keys; a store module without findsKeys is refused
      'fan-out-not-supported': false,
      'query-not-supported': true,
      'query-text-missing': true,
      'query-write-clause': true,
      'query-syntax': true,
      'query-undeclared-parameter': true,
      'query-unused-parameter': true,
      'query-unknown-field': true,
      'parameter-default-type': true,
      'duplicate-name': true,
      'duplicate-target': true,
      'invalid-event-schema': true,
      'unknown-event-field': true,
      'upcast-gap': true,
      'catalog-conflict': true,
    };
    const covered = new Set(cases.flatMap((brokenCase) => brokenCase.codes));
    expect(
      Object.entries(allCodes)
        .filter(([code, inCorpus]) => inCorpus && !covered.has(code))
        .map(([code]) => code),
    ).toEqual([]);
  });

  it('reports several errors of one file together, in file order', () => {
    const many = cases.find((brokenCase) => brokenCase.entry === 'many-errors-in-one-file.yaml')!;
    const kinds = new Set(many.codes);
    expect(many.expected.length).toBeGreaterThanOrEqual(8);
    for (const code of [
      'unknown-key',
      'invalid-value',
      'unknown-column',
      'expression-syntax',
      'handler-for-unknown-event',
    ]) {
      expect(kinds).toContain(code);
    }
    const lines = many.expected.map((line) => Number(/:(\d+):\d+ /.exec(line)![1]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });
});
