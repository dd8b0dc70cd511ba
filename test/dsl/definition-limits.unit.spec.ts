/**
 * Issue #12, item 7: validation must refuse oversized definitions by their limits, in time linear in their
 * size, instead of validating 64k columns for 85 s and calling them valid. Nothing here asserts a time:
 * each test asserts which error stops the definition, and that the expensive stages never ran.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lexer } from 'yaml';
import { formatDefinitionError } from '../../src/dsl/errors/definition-error';
import { checkDefinitionFile, checkDefinitionSource } from '../../src/dsl/loader/definition.loader';
import { ExpressionEnvironment } from '../../src/dsl/expressions/expression-environment';
import { MAX_FILE_BYTES } from '../../src/dsl/model/definition-limits';
import { RELATIONAL_LIMITS } from '../../src/stores/relational/dsl/relational-section.schema';
import { codeLocator } from '../../src/dsl/source/source-locator';
import { validateDefinition } from '../../src/dsl/validation/definition.validator';

function wideDefinition(columns: number): Record<string, unknown> {
  const declared: Record<string, unknown> = { order_id: { type: 'text' } };
  const set: Record<string, string> = {};
  for (let i = 0; i < columns; i++) {
    declared[`c${i}`] = { type: 'integer', nullable: true };
    set[`c${i}`] = 'event.data.qty';
  }
  return {
    name: 'wide',
    version: 1,
    source: { events: ['OrderPlaced'] },
    target: { kind: 'postgres', table: 'wide', key: 'order_id', columns: declared },
    handlers: { OrderPlaced: [{ upsert: { key: 'event.data.orderId', set } }] },
  };
}

describe('definition size limits', () => {
  it('rejects a 64k-column definition with the columns error, before any expression is compiled', () => {
    const compile = jest.spyOn(ExpressionEnvironment.prototype, 'compile');
    const check = validateDefinition(wideDefinition(64_000), codeLocator('<wide>'));
    expect(check.checked).toBeUndefined();
    expect(check.problems.map((problem) => [problem.code, problem.path])).toEqual([
      ['limit-exceeded', 'target.columns'],
      // one assignment per column: the set is over its own limit too
      ['limit-exceeded', 'handlers.OrderPlaced[0].upsert.set'],
    ]);
    expect(check.problems[0]!.message).toBe(
      `64,001 columns in a relational table; at most ${RELATIONAL_LIMITS.columns.toLocaleString('en-US')} are allowed`,
    );
    expect(compile).not.toHaveBeenCalled();
    compile.mockRestore();
  });

  it('accepts a table at the column limit', () => {
    const check = validateDefinition(wideDefinition(RELATIONAL_LIMITS.columns - 1), codeLocator('<wide>'));
    expect(check.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  });

  describe('file size', () => {
    let folder: string;
    beforeAll(() => (folder = mkdtempSync(join(tmpdir(), 'prism-limits-'))));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it('rejects an oversize file before parsing it (the YAML parser is never called)', () => {
      const file = join(folder, 'big.yaml');
      // valid YAML all the way: only its size is wrong
      writeFileSync(file, `name: big\ndescription: "${'x'.repeat(MAX_FILE_BYTES)}"\n`);
      // every YAML stage (the nesting guard and the parser) reads the text through the lexer
      const lex = jest.spyOn(Lexer.prototype, 'lex');
      const check = checkDefinitionFile(file, 'big.yaml');
      expect(check.problems.map(formatDefinitionError)).toEqual([
        `big.yaml:1:1 error file-too-large the file has ${(MAX_FILE_BYTES + 26).toLocaleString('en-US')} bytes; a definition may have at most 1,048,576 (1 MiB) (split it into several projections)`,
      ]);
      expect(lex).not.toHaveBeenCalled();
      lex.mockRestore();
    });

    it('rejects an oversize text given directly', () => {
      const lex = jest.spyOn(Lexer.prototype, 'lex');
      const check = checkDefinitionSource(`description: ${'y'.repeat(MAX_FILE_BYTES)}\n`, 'text.yaml');
      expect(check.problems.map((problem) => problem.code)).toEqual(['file-too-large']);
      expect(lex).not.toHaveBeenCalled();
      lex.mockRestore();
    });

    it('reports a file it cannot read as a DefinitionError of that file, not an exception', () => {
      const check = checkDefinitionFile(folder, 'a-folder.yaml');
      expect(check.problems.map(formatDefinitionError)).toEqual([
        'a-folder.yaml:1:1 error file-unreadable cannot read the file: EISDIR (read)',
      ]);
    });
  });
});
