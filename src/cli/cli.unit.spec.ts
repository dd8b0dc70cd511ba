import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderJsonSchema, definitionJsonSchema } from '../dsl/model/definition-json-schema';
import type { CliIo } from './cli-io';
import { runSchema } from './commands/schema.command';
import { runTests } from './commands/test.command';
import { runValidate } from './commands/validate.command';
import { createProgram } from './program';

const ROOT = join(__dirname, '..', '..');

function bufferIo(cwd = ROOT): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, cwd, out: (line) => lines.push(line), err: (line) => errors.push(line) };
}

describe('prism validate', () => {
  it('passes the example projections (the default folder)', () => {
    const io = bufferIo();
    expect(runValidate([], io)).toBe(0);
    expect(io.lines).toEqual(['✔ 10 definition file(s) valid']);
  });

  it('prints every problem with file:line:column and fails', () => {
    const io = bufferIo();
    expect(
      runValidate(
        ['test/dsl/broken/many-errors-in-one-file.yaml', 'test/dsl/broken/unknown-action.yaml'],
        io,
      ),
    ).toBe(1);
    expect(io.lines[0]).toBe(
      'test/dsl/broken/many-errors-in-one-file.yaml:3:1 error unknown-key sourc: unknown key "sourc"; expected one of "$schema", "name", "version", "description", "source", "target", "segments", "onPoison", "lookups", "handlers" or "queries" (did you mean "source"?)',
    );
    expect(io.lines).toHaveLength(10);
    expect(io.lines[9]).toBe('✖ 9 error(s), 0 warning(s) in 2 of 2 definition file(s)');
  });

  it('passes a file that only has warnings, and shows them', () => {
    const io = bufferIo();
    expect(runValidate(['test/dsl/broken/upsert-leaves-not-null-column-unset.yaml'], io)).toBe(0);
    expect(io.lines[1]).toBe('✔ 1 definition file(s) valid, 1 warning(s)');
  });

  it('fails with a clear message for a path that does not exist', () => {
    const io = bufferIo();
    expect(runValidate(['nowhere'], io)).toBe(1);
    expect(io.errors).toEqual([
      'No projection definition file or folder at "nowhere"; pass a *.yaml file or a folder of them (default: projections/).',
    ]);
  });

  it('reports YAML-level problems as errors with positions, never a stack trace (issue #12)', () => {
    const io = bufferIo();
    const files = [
      'yaml-alias-undefined',
      'yaml-alias-bomb',
      'yaml-deep-flow-nesting-huge',
      'encoding-invalid-utf8',
    ];
    expect(
      runValidate(
        files.map((file) => `test/dsl/broken/${file}.yaml`),
        io,
      ),
    ).toBe(1);
    expect(io.errors).toEqual([]);
    expect(io.lines.filter((line) => / error /.test(line))).toHaveLength(5);
    expect(io.lines.join('\n')).not.toMatch(/\bat \w+ \(/);
  });
});

describe('prism test', () => {
  it('runs every data test case and reports each', () => {
    const io = bufferIo();
    expect(runTests([], io)).toBe(0);
    expect(io.lines).toContain('projections/order-summary.test.yaml (order_summary)');
    expect(io.lines).toContain('  ✓ an order with two lines is placed and shipped');
    expect(io.lines[io.lines.length - 1]).toMatch(/^✔ \d+ passed, 0 failed \(10 test file\(s\)\)$/);
  });
});

describe('prism schema', () => {
  it('writes both JSON Schemas', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prism-schema-'));
    try {
      const io = bufferIo(folder);
      expect(runSchema({ out: 'a/definition.json', testOut: 'a/test.json' }, io)).toBe(0);
      expect(io.lines).toEqual(['wrote a/definition.json', 'wrote a/test.json']);
      expect(readFileSync(join(folder, 'a/definition.json'), 'utf8')).toBe(
        renderJsonSchema(definitionJsonSchema()),
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('prism program', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('wires the commands and sets the exit code', async () => {
    const io = bufferIo();
    await createProgram(io).parseAsync(['node', 'prism', 'validate', 'test/dsl/broken/unknown-action.yaml']);
    expect(process.exitCode).toBe(1);
    expect(io.lines[io.lines.length - 1]).toBe('✖ 1 error(s), 0 warning(s) in 1 of 1 definition file(s)');
  });

  it('runs as `npx tsx src/cli/main.ts`', () => {
    const output = execFileSync(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      ['src/cli/main.ts', 'validate', 'projections'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(output).toBe('✔ 10 definition file(s) valid\n');
  });
});
